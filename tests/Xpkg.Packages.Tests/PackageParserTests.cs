using System.Text;
using Xpkg.Oci;

namespace Xpkg.Packages.Tests;

public class PackageParserTests
{
    private const string FunctionMeta = """
        apiVersion: meta.pkg.crossplane.io/v1
        kind: Function
        metadata:
          name: fn
        """;

    private const string Crd = """
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: inputs.fn.example.org
        spec:
          group: fn.example.org
        """;

    public static TheoryData<string> PackageFiles()
    {
        var data = new TheoryData<string>();
        foreach (string f in Fixtures.PackageFiles())
        {
            data.Add(Path.GetRelativePath(Fixtures.Root, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PackageFiles))]
    public async Task Every_fixture_package_file_parses(string relative)
    {
        await using var stream = File.OpenRead(Fixtures.PathOf(relative));
        var package = await PackageParser.ParseAsync(stream, relative, CancellationToken.None);
        Assert.NotEmpty(package.Metas.Cast<PackageObject>().Concat(package.Objects));
        Assert.All(package.Metas.Cast<PackageObject>().Concat(package.Objects), o => Assert.False(string.IsNullOrEmpty(o.Name)));
    }

    [Fact]
    public void Fixture_list_covers_metas_inputs_and_streams()
    {
        var files = Fixtures.PackageFiles().Select(Path.GetFileName).ToList();
        Assert.Contains("crossplane-initial.yaml", files);
        Assert.Contains("package.yaml", files);
        Assert.Contains("pt.fn.crossplane.io_resources.yaml", files);
        Assert.True(files.Count >= 30, $"only {files.Count} fixture files found");
    }

    [Fact]
    public void Reads_function_meta_with_annotations_and_capabilities()
    {
        var package = PackageParser.Parse(Fixtures.Read("function-patch-and-transform/package/crossplane.yaml"), "crossplane.yaml");
        var meta = Assert.Single(package.Metas);
        Assert.Equal(PackageKind.Function, meta.PackageKind);
        Assert.Equal("function-patch-and-transform", meta.Name);
        Assert.Equal(["composition"], meta.Capabilities);
        Assert.Equal("Apache-2.0", meta.License);
        Assert.Equal("github.com/crossplane-contrib/function-patch-and-transform", meta.Source);
        Assert.Equal("Crossplane Maintainers <info@crossplane.io>", meta.Maintainer);
        Assert.StartsWith("This composition function does everything", meta.Readme, StringComparison.Ordinal);
        Assert.EndsWith("for examples and documentation.\n", meta.Readme, StringComparison.Ordinal);
        Assert.Equal(5, meta.MetaAnnotations.Count);
        Assert.Null(meta.CrossplaneVersion);
        Assert.Empty(package.Objects);
    }

    [Fact]
    public void A_v1beta1_function_without_capabilities_reports_composition()
    {
        var package = PackageParser.Parse(Fixtures.Read("function-patch-and-transform@4aecf5b-v1beta1/package/crossplane.yaml"), "crossplane.yaml");
        var meta = Assert.Single(package.Metas);
        Assert.Equal("meta.pkg.crossplane.io/v1beta1", meta.ApiVersion);
        Assert.Empty(meta.Capabilities);
        Assert.Equal(["composition"], meta.EffectiveCapabilities);
        Assert.True(meta.HasCapability("Composition"));
        Assert.False(meta.HasCapability("operation"));
    }

    [Fact]
    public void Capabilities_match_fuzzily()
    {
        var meta = ParseMeta("""
            apiVersion: meta.pkg.crossplane.io/v1
            kind: Provider
            metadata: {name: p}
            spec:
              capabilities: [SafeStart]
            """);
        Assert.True(meta.HasCapability("safe-start"));
        Assert.Equal(["SafeStart"], meta.EffectiveCapabilities);
    }

    [Fact]
    public void Reads_new_style_dependencies()
    {
        var meta = Assert.Single(PackageParser.Parse(Fixtures.Read("crossplane/test/e2e/manifests/pkg/configuration/dependency/package/crossplane.yaml"), "x").Metas);
        var dep = Assert.Single(meta.DependsOn);
        Assert.True(dep.IsExplicit);
        Assert.Equal(PackageKind.Provider, dep.PackageKind);
        Assert.Equal("pkg.crossplane.io/v1", dep.ApiVersion);
        Assert.Equal("xpkg.upbound.io/crossplane-contrib/provider-nop", dep.PackageReference);
        Assert.Equal("=v0.3.1", dep.Version);
        Assert.Null(dep.VersionDigest);
    }

    [Fact]
    public void Reads_deprecated_dependencies_with_a_digest_version()
    {
        var meta = Assert.Single(PackageParser.Parse(Fixtures.Read("crossplane/test/e2e/manifests/pkg/configuration/digest/package/crossplane.yaml"), "x").Metas);
        var dep = Assert.Single(meta.DependsOn);
        Assert.False(dep.IsExplicit);
        Assert.Equal(PackageKind.Provider, dep.PackageKind);
        Assert.Equal("xpkg.upbound.io/crossplane-contrib/provider-nop", dep.PackageReference);
        Assert.Equal(Digest.Parse("sha256:ecc25c121431dfc7058754427f97c034ecde26d4aafa0da16d258090e0443904"), dep.VersionDigest);
    }

    [Fact]
    public void Incomplete_dependency_has_no_kind()
    {
        var meta = ParseMeta("""
            apiVersion: meta.pkg.crossplane.io/v1
            kind: Configuration
            metadata: {name: c}
            spec:
              crossplane: {version: ">=v1.14.0-0"}
              dependsOn:
              - {package: xpkg.crossplane.io/x/y, version: v1}
              - {function: xpkg.crossplane.io/x/fn, version: ">=v0.1.0"}
            """);
        Assert.Equal(">=v1.14.0-0", meta.CrossplaneVersion);
        Assert.Null(meta.DependsOn[0].PackageKind);
        Assert.Null(meta.DependsOn[0].PackageReference);
        Assert.Equal(PackageKind.Function, meta.DependsOn[1].PackageKind);
    }

    [Fact]
    public void A_v1alpha1_provider_with_dropped_fields_decodes()
    {
        var package = PackageParser.Parse(Fixtures.Read("crossplane-runtime/pkg/xpkg/testdata/provider_meta.yaml"), "provider_meta.yaml");
        var meta = Assert.Single(package.Metas);
        Assert.Equal(PackageKind.Provider, meta.PackageKind);
        Assert.Equal("meta.pkg.crossplane.io/v1alpha1", meta.ApiVersion);
    }

    [Fact]
    public void Skips_empty_and_comment_only_documents_and_counts_positions()
    {
        string yaml = "---\n# just a comment\n---\n\n...\n---\n" + FunctionMeta + "\n--- # trailing comment\n" + Crd + "\n---\n";
        var package = PackageParser.Parse(yaml, "package.yaml");
        var meta = Assert.Single(package.Metas);
        var crd = Assert.Single(package.Objects);
        Assert.Equal("fn", meta.Name);
        Assert.Equal(new DocumentPosition("package.yaml", 3, 7), meta.Position);
        Assert.Equal("inputs.fn.example.org", crd.Name);
        Assert.Equal(4, crd.Position.Document);
        Assert.StartsWith("apiVersion: apiextensions.k8s.io/v1\n", crd.RawYaml, StringComparison.Ordinal);
        Assert.DoesNotContain("---", crd.RawYaml, StringComparison.Ordinal);
    }

    [Fact]
    public void Accepts_crlf_and_document_end_markers()
    {
        string yaml = (FunctionMeta + "\n...\n---\n" + Crd + "\n...\n").Replace("\n", "\r\n", StringComparison.Ordinal);
        var package = PackageParser.Parse(yaml, "package.yaml");
        Assert.Single(package.Metas);
        Assert.Single(package.Objects);
    }

    [Fact]
    public void Unknown_kind_names_file_and_document()
    {
        string yaml = FunctionMeta + "\n---\napiVersion: pkg.crossplane.io/v1\nkind: Provider\nmetadata: {name: p}\n";
        var e = Assert.Throws<InvalidInputException>(() => PackageParser.Parse(yaml, "pkg/crossplane.yaml"));
        Assert.Equal("pkg/crossplane.yaml: document 2 (line 6): no kind \"Provider\" is registered for version \"pkg.crossplane.io/v1\"", e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
        Assert.NotNull(e.Hint);
    }

    [Theory]
    [InlineData("kind: Function\nmetadata: {name: x}\n", "Object 'apiVersion' is missing")]
    [InlineData("apiVersion: v1\nmetadata: {name: x}\n", "Object 'Kind' is missing")]
    [InlineData("- a\n- b\n", "expected a YAML mapping (a Kubernetes object), got a list")]
    [InlineData("apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: 1.0}\n", "metadata.name: expected a string, got the number 1.0")]
    [InlineData("apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec:\n  dependsOn:\n  - {provider: x, version: 1.0}\n", "spec.dependsOn[0].version: expected a string, got the number 1.0")]
    [InlineData("apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {capabilities: composition}\n", "spec.capabilities: expected a list, got \"composition\"")]
    [InlineData("apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata:\n  name: f\n  annotations: {a: on}\n", "metadata.annotations.a: expected a string, got the boolean on")]
    public void Malformed_documents_are_bad_input(string yaml, string expected)
    {
        var e = Assert.Throws<InvalidInputException>(() => PackageParser.Parse(yaml, "package.yaml"));
        Assert.Equal("package.yaml: document 1 (line 1): " + expected, e.Message);
    }

    [Fact]
    public async Task Bytes_that_are_not_UTF8_are_bad_input()
    {
        using var stream = new MemoryStream([.. Encoding.UTF8.GetBytes(FunctionMeta + "\n# "), 0xC3, 0x28, (byte)'\n']);
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => PackageParser.ParseAsync(stream, "package.yaml", CancellationToken.None));
        Assert.Equal("package.yaml: not UTF-8 text", e.Message);
    }

    [Fact]
    public void Invalid_yaml_reports_the_stream_line()
    {
        string yaml = FunctionMeta + "\n---\napiVersion: v1\nkind: [unclosed\n";
        var e = Assert.Throws<InvalidInputException>(() => PackageParser.Parse(yaml, "package.yaml"));
        Assert.StartsWith("package.yaml: document 2 (line 6): invalid YAML at line 8, column 1: While parsing a flow sequence", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Idx:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_separator_is_rejected()
    {
        var e = Assert.Throws<InvalidInputException>(() => PackageParser.Parse(FunctionMeta + "\n--- !tag\n" + Crd, "package.yaml"));
        Assert.Equal("package.yaml: line 5: invalid YAML document separator: !tag", e.Message);
    }

    [Fact]
    public async Task Streams_over_the_limit_are_rejected()
    {
        string yaml = FunctionMeta + "\n---\n" + Crd + "\n";
        await using var ok = new MemoryStream(Encoding.UTF8.GetBytes(yaml));
        Assert.Single((await PackageParser.ParseAsync(ok, "package.yaml", CancellationToken.None, maxBytes: yaml.Length)).Objects);

        await using var big = new MemoryStream(Encoding.UTF8.GetBytes(yaml));
        var e = await Assert.ThrowsAsync<InvalidInputException>(
            () => PackageParser.ParseAsync(big, "package.yaml", CancellationToken.None, maxBytes: yaml.Length - 1));
        Assert.Contains("package.yaml is larger than the", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Objects_can_be_read_one_at_a_time()
    {
        await using var stream = File.OpenRead(Fixtures.PathOf("cli/cmd/crossplane/validate/testdata/cache/xpkg.crossplane.io/crossplane-contrib/provider-nop@v0.2.0/package.yaml"));
        var kinds = new List<string>();
        await foreach (var o in PackageParser.ReadObjectsAsync(stream, "package.yaml", CancellationToken.None))
        {
            kinds.Add(o.Kind);
        }

        Assert.Equal(["CustomResourceDefinition"], kinds);
    }

    [Fact]
    public void Duplicate_keys_are_bad_input()
    {
        var e = Assert.Throws<InvalidInputException>(() => PackageParser.Parse("apiVersion: v1\nkind: Function\nkind: Provider\n", "package.yaml"));
        Assert.StartsWith("package.yaml: document 1 (line 1): ", e.Message, StringComparison.Ordinal);
        Assert.Contains("kind", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Object_trees_are_built_on_demand_with_everything_in_them()
    {
        var crd = Assert.Single(PackageParser.Parse(FunctionMeta + "\n---\n" + Crd + "\n", "package.yaml").Objects);
        var spec = Assert.IsType<YamlDotNet.RepresentationModel.YamlMappingNode>(crd.Root["spec"]);
        Assert.Equal("fn.example.org", spec["group"].ToString());
    }

    [Fact]
    public void Anchors_defined_outside_metadata_still_resolve()
    {
        string yaml = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec:\n  group: &g things.example.org\nmetadata:\n  name: *g\n  labels:\n    a: &l x\n    b: *l\n";
        var crd = Assert.Single(PackageParser.Parse(FunctionMeta + "\n---\n" + yaml, "package.yaml").Objects);
        Assert.Equal("things.example.org", crd.Name);
        Assert.Equal("x", crd.Labels["b"]);
    }

    [Fact]
    public void Syntax_errors_after_the_header_are_still_reported()
    {
        var e = Assert.Throws<InvalidInputException>(() => PackageParser.Parse(Crd + "\n  versions: [\n", "package.yaml"));
        Assert.Contains("invalid YAML", e.Message, StringComparison.Ordinal);
    }

    private static PackageMeta ParseMeta(string yaml) => Assert.Single(PackageParser.Parse(yaml, "crossplane.yaml").Metas);
}
