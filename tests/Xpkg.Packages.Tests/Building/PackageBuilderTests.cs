using System.Text;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Packages.Building;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Tests.Building;

public sealed class PackageBuilderTests : IDisposable
{
    private const string FunctionMeta = "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata:\n  name: function-test\n";
    private const string Composition = "apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: xthings.example.org\n";
    private const string Example = "apiVersion: example.org/v1\nkind: XThing\nmetadata:\n  name: thing\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("xpkg-builder-tests-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string NoExamples => Path.Join(_dir, "no-examples");

    [Fact]
    public async Task Builds_a_real_function_package_deterministically()
    {
        var options = new PackageBuildOptions { PackageRoot = Fixtures.PathOf("function-patch-and-transform/package"), ExamplesRoot = NoExamples, TempDirectory = _dir };
        await using var built = await PackageBuilder.BuildAsync(options, CancellationToken.None);
        await using var again = await PackageBuilder.BuildAsync(options, CancellationToken.None);

        Assert.Equal(built.Root, again.Root);
        Assert.Equal(MediaTypes.DockerManifest, built.Root.MediaType);
        Assert.Equal($"function-patch-and-transform-{built.Root.Digest.Encoded[..12]}.xpkg", built.DefaultFileName);
        var layer = Assert.Single(built.PackageLayers);
        Assert.Equal("base", layer.Role);

        var config = JsonNode.Parse(built.ConfigBytes)!;
        Assert.Equal(layer.DiffId.ToString(), config["rootfs"]!["diff_ids"]![0]!.GetValue<string>());
        Assert.Equal("base", config["config"]!["Labels"]!["io.crossplane.xpkg:" + layer.Descriptor.Digest]!.GetValue<string>());
        Assert.Equal(built.Config.Digest, Digest.Compute(built.ConfigBytes));

        var (package, location) = await new PackageLocator(built).ParseAsync(built.Root, built.ManifestBytes, CancellationToken.None);
        Assert.Equal(BaseLayerSource.ConfigLabel, location.FoundBy);
        Assert.Equal("function-patch-and-transform", package.Meta?.Name);
        Assert.Equal(["resources.pt.fn.crossplane.io"], package.Objects.Select(o => o.Name));
    }

    [Fact]
    public async Task Package_stream_is_framed_like_crossplane()
    {
        WriteFile("pkg/crossplane.yaml", FunctionMeta);
        WriteFile("pkg/input/crd.yaml", Fixtures.Read("function-template-go/package/input/template.fn.crossplane.io_inputs.yaml"));
        await using var built = await PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = Path.Join(_dir, "pkg"), ExamplesRoot = NoExamples, TempDirectory = _dir }, CancellationToken.None);
        byte[] stream = PackageLayerTests.ExtractSingleEntry(File.ReadAllBytes(built.PackageLayers[0].BlobPath), out string name);
        string text = Encoding.UTF8.GetString(stream);
        Assert.Equal("package.yaml", name);
        Assert.StartsWith("---\n" + FunctionMeta + "---\n", text, StringComparison.Ordinal);
        Assert.EndsWith("---\n", text, StringComparison.Ordinal);
        Assert.Single(PackageParser.Parse(text, "package.yaml").Objects);
    }

    [Fact]
    public async Task Examples_become_a_second_layer_labelled_upbound()
    {
        WriteFile("pkg/crossplane.yaml", Fixtures.Read("crossplane-runtime/pkg/xpkg/testdata/provider_meta.yaml"));
        WriteFile("pkg/crds/helm.yaml", Fixtures.Read("crossplane-runtime/pkg/xpkg/testdata/providerconfigs.helm.crossplane.io.yaml"));
        var options = new PackageBuildOptions
        {
            PackageRoot = Path.Join(_dir, "pkg"),
            ExamplesRoot = Fixtures.PathOf("crossplane-runtime/pkg/xpkg/testdata/examples"),
            TempDirectory = _dir,
        };
        await using var built = await PackageBuilder.BuildAsync(options, CancellationToken.None);

        Assert.Equal(["base", "upbound"], built.PackageLayers.Select(l => l.Role));
        var config = JsonNode.Parse(built.ConfigBytes)!;
        Assert.Equal("upbound", config["config"]!["Labels"]!["io.crossplane.xpkg:" + built.PackageLayers[1].Descriptor.Digest]!.GetValue<string>());
        Assert.Equal(2, config["history"]!.AsArray().Count);

        byte[] examples = PackageLayerTests.ExtractSingleEntry(File.ReadAllBytes(built.PackageLayers[1].BlobPath), out string name);
        Assert.Equal(".up/examples.yaml", name);
        string expected = string.Concat(new[] { "ec2/instance.yaml", "ec2/internetgateway.yaml", "ecr/repository.yaml", "provider.yaml" }
            .Select(f => Fixtures.Read("crossplane-runtime/pkg/xpkg/testdata/examples/" + f) + "\n...\n\n---\n"));
        Assert.Equal(expected, Encoding.UTF8.GetString(examples));
    }

    [Fact]
    public async Task Examples_inside_the_package_root_are_not_package_content()
    {
        WriteFile("pkg/crossplane.yaml", FunctionMeta);
        WriteFile("pkg/examples/xr.yaml", Example);
        WriteFile("pkg/examples/composition.yaml", Composition);
        await using var built = await PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = Path.Join(_dir, "pkg"), ExamplesRoot = Path.Join(_dir, "pkg/examples"), TempDirectory = _dir }, CancellationToken.None);
        Assert.Empty(built.Package.Objects);
        Assert.Equal(2, built.PackageLayers.Count);
    }

    [Fact]
    public async Task Lint_failure_aborts_with_crossplanes_reason()
    {
        WriteFile("pkg/crossplane.yaml", FunctionMeta);
        WriteFile("pkg/composition.yaml", Composition);
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = Path.Join(_dir, "pkg"), ExamplesRoot = NoExamples, TempDirectory = _dir }, CancellationToken.None));
        Assert.Equal("failed to lint package: composition.yaml: document 1 (line 1): Composition \"xthings.example.org\": object is not a CRD", e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
        Assert.Single(Directory.GetDirectories(_dir));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public async Task Exactly_one_meta_is_required(int metas)
    {
        for (int i = 0; i < metas; i++)
        {
            WriteFile($"pkg/meta{i}.yaml", FunctionMeta);
        }

        WriteFile("pkg/notes.txt", "not yaml");
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = Path.Join(_dir, "pkg"), ExamplesRoot = NoExamples }, CancellationToken.None));
        Assert.StartsWith("failed to build package: not exactly one package meta type", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ignored_empty_and_non_yaml_files_are_skipped()
    {
        WriteFile("pkg/crossplane.yaml", FunctionMeta);
        WriteFile("pkg/empty.yaml", "");
        WriteFile("pkg/README.md", "# docs");
        WriteFile("pkg/scratch/composition.yml", Composition);
        WriteFile("pkg/broken.yaml", "kind: [");
        var options = new PackageBuildOptions { PackageRoot = Path.Join(_dir, "pkg"), ExamplesRoot = NoExamples, Ignore = ["scratch/*.yml", "broken.yaml"], TempDirectory = _dir };
        await using var built = await PackageBuilder.BuildAsync(options, CancellationToken.None);
        Assert.Equal("function-test", built.Meta.Name);
        Assert.Empty(built.Package.Objects);
    }

    [Fact]
    public async Task Parse_errors_name_the_file()
    {
        WriteFile("pkg/crossplane.yaml", FunctionMeta);
        WriteFile("pkg/sub/bad.yaml", "---\n" + Example);
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = Path.Join(_dir, "pkg"), ExamplesRoot = NoExamples }, CancellationToken.None));
        Assert.Equal($"sub{Path.DirectorySeparatorChar}bad.yaml: document 1 (line 2): no kind \"XThing\" is registered for version \"example.org/v1\"", e.Message);
    }

    [Fact]
    public async Task Runtime_image_layers_come_first_and_its_config_is_kept()
    {
        WriteFile("pkg/crossplane.yaml", FunctionMeta);
        var runtimeImage = new TestImage();
        var runtimeLayer = runtimeImage.AddLayer(TestImage.Gzip(TestImage.Tar(("function", "binary"))));
        var (runtimeRoot, runtimeManifest) = runtimeImage.Build();
        var options = new PackageBuildOptions
        {
            PackageRoot = Path.Join(_dir, "pkg"),
            ExamplesRoot = NoExamples,
            TempDirectory = _dir,
            Runtime = new RuntimeImage(runtimeImage.Source, runtimeRoot, runtimeManifest),
        };
        await using var built = await PackageBuilder.BuildAsync(options, CancellationToken.None);

        Assert.Equal(MediaTypes.OciManifest, built.Root.MediaType);
        Assert.Equal([runtimeLayer.Digest, built.PackageLayers[0].Descriptor.Digest], built.Layers.Select(l => l.Digest));
        Assert.Equal(MediaTypes.OciLayerGzip, built.PackageLayers[0].Descriptor.MediaType);
        Assert.Equal("amd64", JsonNode.Parse(built.ConfigBytes)!["architecture"]!.GetValue<string>());
        await using (var layer = await built.OpenAsync(runtimeLayer, CancellationToken.None))
        {
            Assert.Equal(runtimeLayer.Size, await layer.CopyToCountAsync());
        }

        var (package, location) = await new PackageLocator(built).ParseAsync(built.Root, built.ManifestBytes, CancellationToken.None);
        Assert.Equal(BaseLayerSource.ConfigLabel, location.FoundBy);
        Assert.Equal("function-test", package.Meta?.Name);
    }

    [Fact]
    public async Task Missing_package_root_is_bad_input()
        => await Assert.ThrowsAsync<InvalidInputException>(() => PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = Path.Join(_dir, "absent") }, CancellationToken.None));

    private void WriteFile(string relative, string content)
    {
        string path = Path.Join(_dir, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}

internal static class StreamCounting
{
    public static async Task<long> CopyToCountAsync(this Stream stream)
    {
        var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.Length;
    }
}
