using Xpkg.Install.Resolution;
using Xpkg.Oci;
using Xpkg.Transfer;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

public sealed class ResolutionTests : IDisposable
{
    private const string Dep = Host + "/org/function-dep";
    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private async Task SeedDependencyVersionsAsync()
    {
        foreach (string tag in new[] { "v0.1.0", "v0.2.0", "v1.0.0-rc.1", "v1" })
        {
            await _cache.AddPackageAsync($"{Dep}:{tag}", Meta("Function", "function-dep"));
        }
    }

    private async Task<string> InstallParentAsync(string constraint, string? crossplaneVersion = null)
    {
        // A fresh state each time: an installed dependency that still satisfies would otherwise stay.
        if (Directory.Exists(_cache.StateDirectory))
        {
            Directory.Delete(_cache.StateDirectory, recursive: true);
        }

        await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, constraint)));
        var result = await _cache.InstallAsync(PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0"), offline: true, crossplaneVersion);
        return result.Packages.Single(p => !p.IsRoot).Version;
    }

    [Theory]
    [InlineData(">=v0.1.0", "v0.2.0", "v0.2.0")] // v1 is incomplete and v1.0.0-rc.1 a prerelease: neither counts
    [InlineData(">=v1.0.0-0", "v1.0.0-rc.1", "v1.0.0-rc.1")] // a constraint naming a prerelease admits prereleases
    [InlineData("^v0.1.0", "v0.2.0", "v0.1.0")] // caret on 0.x: v1.5 keeps the major, v3 the minor
    [InlineData("~0.1", "v0.1.0", "v0.1.0")]
    [InlineData("0.1.0 - 0.2.0", "v0.2.0", "v0.2.0")]
    [InlineData("<v0.2.0 || >=v0.2.0, <v1.0.0", "v0.2.0", "v0.2.0")]
    [InlineData(">=v0.1.0 <v0.2.0", null, "v0.1.0")] // v1.5 ANDs only with commas
    [InlineData("0.x", "v0.2.0", "v0.2.0")]
    public async Task NewDependencyGetsTheHighestSatisfyingTag(string constraint, string? crossplane21, string crossplane23)
    {
        await SeedDependencyVersionsAsync();
        Assert.Equal(crossplane23, await InstallParentAsync(constraint, "2.3.0"));
        if (crossplane21 is null)
        {
            await Assert.ThrowsAsync<ResolutionException>(() => InstallParentAsync(constraint, "2.1.0"));
        }
        else
        {
            Assert.Equal(crossplane21, await InstallParentAsync(constraint, "2.1.0"));
        }
    }

    [Fact]
    public async Task IncompleteTagNeverSatisfiesAFullVersion()
    {
        await _cache.AddPackageAsync($"{Dep}:v1", Meta("Function", "function-dep"));
        var e = await Assert.ThrowsAsync<ResolutionException>(() => InstallParentAsync(">=v1.0.0"));
        Assert.Contains("does not have a valid version", e.Message);
        Assert.Contains("Configuration/parent requires >=v1.0.0", e.Message);
    }

    [Fact]
    public async Task DependencyChainsResolveTransitively()
    {
        await SeedDependencyVersionsAsync();
        await _cache.AddPackageAsync(Host + "/org/provider-mid:v0.3.0", Meta("Provider", "provider-mid", OldDep("function", Dep, "<v0.2.0")));
        await _cache.AddPackageAsync(Host + "/org/configuration-top:v1.0.0", Meta("Configuration", "top", OldDep("provider", Host + "/org/provider-mid", ">=v0.3.0")));

        var result = await _cache.InstallAsync(PackageManifest("Configuration", "top", Host + "/org/configuration-top:v1.0.0"), offline: true);

        Assert.Equal(["Configuration/top", "Provider/org-provider-mid", "Function/org-function-dep"], result.Packages.Select(p => p.Subject));
        Assert.Equal("v0.1.0", result.Packages[2].Version);
        Assert.Equal(Host + "/org/function-dep", result.Packages[2].Source);
    }

    [Fact]
    public async Task DigestPinsAreComparedExactly()
    {
        await SeedDependencyVersionsAsync();
        var pinned = await _cache.AddPackageAsync($"{Dep}:v0.0.9", Meta("Function", "function-dep"));
        await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, pinned.ToString())));

        var result = await _cache.InstallAsync(PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0"), offline: true);

        var dep = result.Packages.Single(p => !p.IsRoot);
        Assert.Equal(pinned, dep.Image.Digest);
        Assert.Equal(pinned.ToString(), dep.Version);
        Assert.Equal($"{Dep}@{pinned}", dep.Request.Package.Original);
    }

    [Fact]
    public async Task ConflictingParentsAreBothNamed()
    {
        await SeedDependencyVersionsAsync();
        await _cache.AddPackageAsync(Host + "/org/configuration-a:v1.0.0", Meta("Configuration", "a", Packages.Dep("Function", Dep, "<v0.2.0")));
        await _cache.AddPackageAsync(Host + "/org/configuration-b:v1.0.0", Meta("Configuration", "b", Packages.Dep("Function", Dep, ">=v0.2.0")));

        var e = await Assert.ThrowsAsync<ResolutionException>(() => _cache.InstallAsync(
            PackageManifest("Configuration", "a", Host + "/org/configuration-a:v1.0.0") + PackageManifest("Configuration", "b", Host + "/org/configuration-b:v1.0.0"), offline: true));

        Assert.Contains("Configuration/a requires <v0.2.0", e.Message);
        Assert.Contains("Configuration/b requires >=v0.2.0", e.Message);
        Assert.Empty(_cache.StateFiles()); // a failed install writes nothing (the lock file is not state)
    }

    [Fact]
    public async Task RequestedPackageThatFailsAParentIsAConflict()
    {
        await SeedDependencyVersionsAsync();
        await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, ">=v0.2.0")));

        var e = await Assert.ThrowsAsync<ResolutionException>(() => _cache.InstallAsync(
            PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0") + PackageManifest("Function", "dep", Dep + ":v0.1.0"), offline: true));

        Assert.Contains("Function/dep installs " + Dep + ":v0.1.0", e.Message);
        Assert.Contains("Configuration/parent requires >=v0.2.0", e.Message);
    }

    [Fact]
    public async Task RequestedPackageSatisfyingEveryParentIsUsed()
    {
        await SeedDependencyVersionsAsync();
        await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, ">=v0.1.0")));

        var result = await _cache.InstallAsync(
            PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0") + PackageManifest("Function", "dep", Dep + ":v0.1.0"), offline: true);

        Assert.Equal(["Configuration/parent", "Function/dep"], result.Packages.Select(p => p.Subject));
        Assert.Equal("v0.1.0", result.Packages[1].Version);
    }

    [Fact]
    public async Task CyclesAreNamed()
    {
        await _cache.AddPackageAsync(Host + "/org/configuration-a:v1.0.0", Meta("Configuration", "a", Packages.Dep("Configuration", Host + "/org/configuration-b", ">=v1.0.0")));
        await _cache.AddPackageAsync(Host + "/org/configuration-b:v1.0.0", Meta("Configuration", "b", Packages.Dep("Configuration", Host + "/org/configuration-a", ">=v1.0.0")));

        var e = await Assert.ThrowsAsync<ResolutionException>(() => _cache.InstallAsync(PackageManifest("Configuration", "a", Host + "/org/configuration-a:v1.0.0"), offline: true));

        Assert.Contains("detected cycle on: Configuration/a", e.Message);
        Assert.Contains("-> Configuration/org-configuration-b", e.Message);
    }

    [Fact]
    public async Task InstalledDependencyThatStillSatisfiesStays()
    {
        await _cache.AddPackageAsync($"{Dep}:v0.1.0", Meta("Function", "function-dep"));
        Assert.Equal("v0.1.0", await InstallParentAsync(">=v0.1.0"));

        await _cache.AddPackageAsync($"{Dep}:v0.2.0", Meta("Function", "function-dep"));
        var again = await _cache.InstallAsync(PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0"), offline: true);

        Assert.Equal("v0.1.0", again.Packages.Single(p => !p.IsRoot).Version);
        Assert.Contains(again.Log.Events, e => e.Message.Contains("installed v0.1.0 satisfies every parent and stays", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SkipDependencyResolutionInstallsNoDependencies()
    {
        await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, ">=v9.0.0")));

        var result = await _cache.InstallAsync(
            PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0", "  skipDependencyResolution: true\n"), offline: true);

        Assert.Single(result.Packages);
    }

    [Fact]
    public async Task CrossplaneVersionConstraintIsChecked()
    {
        await _cache.AddPackageAsync(Host + "/org/function-new:v1.0.0", Meta("Function", "function-new", crossplane: ">=v2.5.0"));

        var e = await Assert.ThrowsAsync<XpkgException>(() => _cache.InstallAsync(PackageManifest("Function", "new", Host + "/org/function-new:v1.0.0"), offline: true));
        Assert.Contains("package is not compatible with Crossplane version (2.1.0)", e.Message);

        var ignored = await _cache.InstallAsync(PackageManifest("Function", "new", Host + "/org/function-new:v1.0.0", "  ignoreCrossplaneConstraints: true\n"), offline: true);
        Assert.Single(ignored.Packages);
        var newer = await _cache.InstallAsync(PackageManifest("Function", "new", Host + "/org/function-new:v1.0.0"), offline: true, crossplaneVersion: "2.5.1");
        Assert.Single(newer.Packages);
    }

    [Fact]
    public async Task MetaKindMustMatchThePackageKind()
    {
        await _cache.AddPackageAsync(Host + "/org/provider-x:v1.0.0", Meta("Provider", "provider-x"));
        var e = await Assert.ThrowsAsync<XpkgException>(() => _cache.InstallAsync(PackageManifest("Function", "x", Host + "/org/provider-x:v1.0.0"), offline: true));
        Assert.Contains("package meta type is not Function", e.Message);
    }

    [Fact]
    public async Task NeverWithAMissingPackageSaysHowToGetItIn()
    {
        var e = await Assert.ThrowsAsync<XpkgException>(() => _cache.InstallAsync(
            PackageManifest("Function", "x", Host + "/org/function-x:v1.0.0", "  packagePullPolicy: Never\n")));
        Assert.Contains("not in cache and pull policy is Never", e.Message);
        Assert.Contains("xpkg load", e.Hint);
    }

    [Fact]
    public async Task ImageConfigRewritesPackagesAndDependencies()
    {
        const string Mirror = "mirror.example.net/org";
        await _cache.AddPackageAsync(Mirror + "/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, ">=v0.1.0")));
        await _cache.AddPackageAsync(Mirror + "/function-dep:v0.1.0", Meta("Function", "function-dep"));
        await _cache.AddPackageAsync(Mirror + "/function-dep:v0.3.0", Meta("Function", "function-dep"));
        string manifests = PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0") + $$"""
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: short}
            spec:
              matchImages: [{prefix: {{Host}} }]
              rewriteImage: {prefix: elsewhere.example.org}
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: mirror}
            spec:
              matchImages: [{type: Prefix, prefix: {{Host}}/org}]
              rewriteImage: {prefix: {{Mirror}} }
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: mirror-auth}
            spec:
              matchImages: [{prefix: mirror.example.net}]
              registry: {authentication: {pullSecretRef: {name: mirror-creds} } }

            """;

        var result = await _cache.InstallAsync(manifests, offline: true);

        var parent = result.Packages[0];
        var dep = result.Packages[1];
        Assert.Equal(Mirror + "/configuration-parent:v1.0.0", parent.ResolvedPackage);
        Assert.Equal(Host + "/org/configuration-parent", parent.Source);
        Assert.Equal(Mirror + "/function-dep:v0.3.0", dep.ResolvedPackage);
        Assert.Equal(Dep, dep.Source);
        Assert.Equal(["mirror-creds"], dep.PullSecrets);
        Assert.Equal(["mirror:RewriteImage", "mirror-auth:SetImagePullSecret"], dep.AppliedImageConfigs.Select(m => m.Name + ":" + m.Purpose));
        Assert.Contains("image: " + Mirror + "/function-dep@sha256:", _cache.State("runtime/function.org-function-dep.yaml"));
    }

    [Fact]
    public async Task RequestedIncompleteTagDoesNotSatisfyAFullVersion()
    {
        await _cache.AddPackageAsync($"{Dep}:v1", Meta("Function", "function-dep"));
        await _cache.AddPackageAsync(Host + "/org/configuration-parent:v1.0.0", Meta("Configuration", "parent", Packages.Dep("Function", Dep, ">=v1.0.0")));

        var e = await Assert.ThrowsAsync<ResolutionException>(() => _cache.InstallAsync(
            PackageManifest("Configuration", "parent", Host + "/org/configuration-parent:v1.0.0") + PackageManifest("Function", "dep", Dep + ":v1"), offline: true));
        Assert.Contains("Function/dep installs " + Dep + ":v1, but Configuration/parent requires >=v1.0.0", e.Message);
    }

    [Fact]
    public async Task AlwaysNeedsARegistryUnlessOffline()
    {
        await _cache.AddPackageAsync(Host + "/org/function-x:v1.0.0", Meta("Function", "function-x"));
        string manifest = PackageManifest("Function", "x", Host + "/org/function-x:v1.0.0", "  packagePullPolicy: Always\n");

        var e = await Assert.ThrowsAsync<XpkgException>(() => _cache.InstallAsync(manifest));
        Assert.Contains("pull policy Always resolves at the registry", e.Message);

        var offline = await _cache.InstallAsync(manifest, offline: true);
        Assert.Contains(offline.Log.Events, ev => ev.Step == "policy" && ev.Message == "Always becomes Never (--offline)");
    }

    [Fact]
    public async Task ImageConfigRuntimeAndVerificationMatchTheRewrittenReference()
    {
        await _cache.AddPackageAsync("mirror.example.net/org/function-x:v1.0.0", Meta("Function", "function-x"));
        string manifests = PackageManifest("Function", "x", Host + "/org/function-x:v1.0.0") + $$"""
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: rewrite}
            spec:
              matchImages: [{prefix: {{Host}}/org}]
              rewriteImage: {prefix: mirror.example.net/org}
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: original-runtime}
            spec:
              matchImages: [{prefix: {{Host}} }]
              runtime: {configRef: {name: wrong} }
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: mirror-runtime}
            spec:
              matchImages: [{prefix: mirror.example.net}]
              runtime: {configRef: {name: big} }
              verification: {provider: Cosign, cosign: {authorities: [{name: k, key: {secretRef: {name: s, key: k}, hashAlgorithm: sha256} }]} }
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: DeploymentRuntimeConfig
            metadata: {name: big}
            spec:
              deploymentTemplate: {spec: {replicas: 3, selector: {}, template: {} } }

            """;

        var result = await _cache.InstallAsync(manifests, offline: true);

        var x = result.Packages[0];
        Assert.Equal("big", x.RuntimeConfigName);
        Assert.Contains(x.AppliedImageConfigs, m => m.Name == "mirror-runtime" && m.Purpose == Xpkg.Install.ImageConfigs.ImageConfigPurpose.VerifyImage);
        Assert.Contains(result.Log.Events, ev => ev.Step == "verify");
        Assert.Contains("  replicas: 3\n", _cache.State("runtime/function.x.yaml"));
        Assert.Contains("    - name: mirror-runtime\n      reason: ConfigureRuntime\n", _cache.State("packages/function.x.yaml"));
    }
}
