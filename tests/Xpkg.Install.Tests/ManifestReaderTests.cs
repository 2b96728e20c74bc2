using System.Text;
using Xpkg.Install.Input;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Transfer;

namespace Xpkg.Install.Tests;

public sealed class ManifestReaderTests
{
    private const string Fixtures = "/work/shared/fixtures/crossplane/crossplane/test/e2e/manifests/pkg";

    private static Task<ManifestSet> Parse(string yaml) => ManifestReader.ParseAsync(yaml, "in.yaml", CancellationToken.None);

    [Fact]
    public async Task ReadsEverySpecField()
    {
        var set = await Parse("""
            apiVersion: pkg.crossplane.io/v1beta1
            kind: Function
            metadata:
              name: fn
              labels: {team: a}
            spec:
              package: registry.example.com/org/fn:v1.0.0
              revisionActivationPolicy: Manual
              revisionHistoryLimit: 3
              packagePullSecrets: [{name: creds}]
              packagePullPolicy: Never
              ignoreCrossplaneConstraints: true
              skipDependencyResolution: yes
              commonLabels: {a: b}
              commonAnnotations: {c: d}
              runtimeConfigRef: {apiVersion: pkg.crossplane.io/v1beta1, kind: DeploymentRuntimeConfig, name: rt}
            ---
            # comment-only documents are skipped
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: creds, namespace: crossplane-system}
            type: kubernetes.io/dockerconfigjson
            data:
              .dockerconfigjson: eyJhdXRocyI6eyJyZWdpc3RyeS5leGFtcGxlLmNvbSI6eyJhdXRoIjoiZFRwdyJ9fX0=
            """);

        var fn = Assert.Single(set.Packages);
        Assert.Equal(PackageKind.Function, fn.Kind);
        Assert.Equal(ActivationPolicy.Manual, fn.RevisionActivationPolicy);
        Assert.Equal(3, fn.RevisionHistoryLimit);
        Assert.Equal(["creds"], fn.PackagePullSecrets);
        Assert.Equal(PullPolicy.Never, fn.PackagePullPolicy);
        Assert.True(fn.IgnoreCrossplaneConstraints);
        Assert.True(fn.SkipDependencyResolution);
        Assert.Equal("b", fn.CommonLabels["a"]);
        Assert.Equal("d", fn.CommonAnnotations["c"]);
        Assert.Equal("rt", fn.RuntimeConfigName);
        Assert.Equal("registry.example.com/org/fn:v1.0.0", fn.Package.Original);
        Assert.Equal(new DocumentPosition("in.yaml", 1, 1), fn.Position);
        Assert.Equal(["registry.example.com"], Assert.Single(set.Secrets).Registries);
    }

    [Fact]
    public async Task DefaultsAreCrossplanes()
    {
        var set = await Parse("apiVersion: pkg.crossplane.io/v1\nkind: Provider\nmetadata: {name: p}\nspec: {package: registry.example.com/p:v1}\n");
        var p = set.Packages[0];
        Assert.Equal((ActivationPolicy.Automatic, 1L, PullPolicy.IfNotPresent, "default"), (p.RevisionActivationPolicy, p.RevisionHistoryLimit, p.PackagePullPolicy, p.RuntimeConfigName));
    }

    [Theory]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Lock\nmetadata: {name: lock}\n", "no kind \"Lock\" is registered for version \"pkg.crossplane.io/v1\"")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: registry.example.com/f:v1, packagePullPolicyy: Never}\n", "spec.packagePullPolicyy: unknown field")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: registry.example.com/f:v1, packagePullPolicy: Sometimes}\n", "spec.packagePullPolicy: \"Sometimes\" is not one of IfNotPresent, Always, Never")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: localhost:5000/f:v1}\n", "not a fully qualified package reference")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: registry.example.com/f}\n", "not a fully qualified package reference")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: registry.example.com/f:v1, revisionHistoryLimit: \"2\"}\n", "spec.revisionHistoryLimit: expected an integer")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Configuration\nmetadata: {name: c}\nspec: {package: registry.example.com/c:v1, runtimeConfigRef: {name: x}}\n", "spec.runtimeConfigRef: unknown field")]
    [InlineData("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: Opaque\n", "xpkg install reads only kubernetes.io/dockerconfigjson")]
    [InlineData("apiVersion: pkg.crossplane.io/v1beta1\nkind: ImageConfig\nmetadata: {name: i}\nspec: {matchImages: [{prefix: a}], rewriteImage: {prefix: \"\"}}\n", "rewrite prefix is missing")]
    [InlineData("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: F}\nspec: {package: registry.example.com/f:v1}\n", "metadata.name: \"F\" is not a valid name")]
    public async Task BadInputNamesTheFileAndDocument(string document, string expected)
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Parse("apiVersion: pkg.crossplane.io/v1beta1\nkind: ImageConfig\nmetadata: {name: ok}\nspec: {matchImages: [{prefix: x.example}]}\n---\n" + document));
        Assert.StartsWith("in.yaml: document 2 (line 6): ", e.Message);
        Assert.Contains(expected, e.Message + " hint: " + e.Hint);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Fact]
    public async Task DuplicateObjectsAreRejected()
    {
        const string Doc = "apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: registry.example.com/f:v1}\n";
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Parse(Doc + "---\n" + Doc));
        Assert.Contains("Function/f is also defined at in.yaml: document 1", e.Message);
    }

    [Fact]
    public async Task AFileThatIsNotUtf8_IsBadInput()
    {
        string path = Path.Combine(Path.GetTempPath(), "xpkg-manifest-" + Guid.NewGuid().ToString("N")[..8] + ".yaml");
        await File.WriteAllBytesAsync(path, [.. Encoding.UTF8.GetBytes("apiVersion: pkg.crossplane.io/v1\nkind: Function\n# "), 0xC3, 0x28, (byte)'\n']);
        try
        {
            var e = await Assert.ThrowsAsync<InvalidInputException>(() => ManifestReader.ReadAsync([path], CancellationToken.None));
            Assert.Equal($"{path}: not UTF-8 text", e.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ReadsDirectoriesAndStandardInput()
    {
        string dir = Path.Combine(Path.GetTempPath(), "xpkg-manifests-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "b.yaml"), "apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: b}\nspec: {package: registry.example.com/b:v1}\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "a.yml"), "apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: a}\nspec: {package: registry.example.com/a:v1}\n");
            await File.WriteAllTextAsync(Path.Combine(dir, "notes.txt"), "not yaml");
            var stdin = new StringReader("apiVersion: pkg.crossplane.io/v1\nkind: Configuration\nmetadata: {name: c}\nspec: {package: registry.example.com/c:v1}\n");

            var set = await ManifestReader.ReadAsync([dir, "-"], CancellationToken.None, stdin);

            Assert.Equal(["a", "b", "c"], set.Packages.Select(p => p.Name));
            Assert.Equal("<stdin>", set.Packages[2].Position!.Source);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task ReadsCrossplaneE2eManifests()
    {
        if (!Directory.Exists(Fixtures))
        {
            return;
        }

        var set = await ManifestReader.ReadAsync(
            [Path.Combine(Fixtures, "image-config/rewrite/image-config.yaml"), Path.Combine(Fixtures, "image-config/rewrite/configuration.yaml"),
             Path.Combine(Fixtures, "configuration/digest/configuration.yaml"), Path.Combine(Fixtures, "dependency-upgrade/transitive/deps.yaml")],
            CancellationToken.None);
        Assert.Equal(5, set.Packages.Count);
        Assert.NotNull(set.Packages.Single(p => p.Name == "configuration-digest").Package.Digest);
        Assert.Single(set.ImageConfigs[0].Prefixes);

        // The e2e suite uses this Provider only to check an installed dependency: it has no spec.package.
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => ManifestReader.ReadAsync([Path.Combine(Fixtures, "image-config/rewrite/provider.yaml")], CancellationToken.None));
        Assert.Contains("provider.yaml: document 1 (line 1): spec.package: required", e.Message);
    }

    [Fact]
    public async Task SecretStringDataIsAccepted()
    {
        var set = await Parse("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/dockerconfigjson\nstringData:\n  .dockerconfigjson: '{\"auths\":{\"a.example\":{}}}'\n");
        Assert.Equal(["a.example"], set.Secrets[0].Registries);
        Assert.Equal(Encoding.UTF8.GetBytes("{\"auths\":{\"a.example\":{}}}"), Encoding.UTF8.GetBytes(set.Secrets[0].DockerConfigJson));
    }
}
