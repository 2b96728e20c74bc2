using System.Security.Cryptography;
using Xpkg.Oci;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Tests.Locating;

public class PackageLocatorTests
{
    private const string Meta = "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata:\n  name: fn\n";
    private const string OtherMeta = "apiVersion: meta.pkg.crossplane.io/v1\nkind: Provider\nmetadata:\n  name: decoy\n";

    [Fact]
    public void Fixture_manifest_reconstruction_matches_the_file_name()
    {
        var xpkg = XpkgFile.Open();
        Assert.Equal(XpkgFile.ManifestDigest, xpkg.Manifest(annotated: false).Root.Digest.ToString());
        Assert.Equal(XpkgFile.AnnotatedManifestDigest, xpkg.Manifest(annotated: true).Root.Digest.ToString());
        Assert.Equal(584, xpkg.Manifest(annotated: false).Bytes.Length);
    }

    [Fact]
    public async Task Real_xpkg_is_found_through_its_config_label()
    {
        var xpkg = XpkgFile.Open();
        var (root, manifest) = xpkg.Manifest(annotated: false);
        var (package, location) = await new PackageLocator(xpkg.Source).ParseAsync(root, manifest, CancellationToken.None);

        Assert.Equal(BaseLayerSource.ConfigLabel, location.FoundBy);
        Assert.Equal("label", location.Method);
        Assert.Equal(XpkgFile.BaseLayer, location.Layer.Digest.ToString());
        Assert.Equal("package.yaml", location.EntryName);
        Assert.Contains("config label io.crossplane.xpkg:" + XpkgFile.BaseLayer + "=base", location.Explain(), StringComparison.Ordinal);

        var meta = Assert.Single(package.Metas);
        Assert.Equal(("meta.pkg.crossplane.io/v1beta1", "Function", "function-conditional-patch-and-transform"), (meta.ApiVersion, meta.Kind, meta.Name));
        Assert.Equal("Apache-2.0", meta.License);
        Assert.Equal("github.com/stevendborrelli/function-conditional-patch-and-transform", meta.Source);
        Assert.Equal(5, meta.MetaAnnotations.Count);
        Assert.Equal(["composition"], meta.EffectiveCapabilities);
        var crd = Assert.Single(package.Objects);
        Assert.Equal(("CustomResourceDefinition", "resources.conditional-pt.fn.crossplane.io"), (crd.Kind, crd.Name));
        Assert.Null(Linting.PackageLinter.LintPackage(package));
        Assert.DoesNotContain(Digest.Parse(XpkgFile.ExamplesLayer), xpkg.Source.Opened);
    }

    [Fact]
    public async Task Real_xpkg_stream_is_byte_exact()
    {
        var xpkg = XpkgFile.Open();
        var (root, manifest) = xpkg.Manifest(annotated: true);
        await using var stream = await new PackageLocator(xpkg.Source).OpenAsync(root, manifest, CancellationToken.None);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[4096];
        long total = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer)) > 0)
        {
            sha.AppendData(buffer, 0, n);
            total += n;
        }

        Assert.Equal(BaseLayerSource.Annotation, stream.Location.FoundBy);
        Assert.Equal(60919, total);
        Assert.Equal("0c56e429bb590881e962a01bd621b6b3009238e32806b013efa44156db70495e", Convert.ToHexStringLower(sha.GetHashAndReset()));
    }

    [Fact]
    public async Task Corrupt_base_layer_is_detected()
    {
        var xpkg = XpkgFile.Open();
        xpkg.Source.Corrupt = Digest.Parse(XpkgFile.BaseLayer);
        var (root, manifest) = xpkg.Manifest(annotated: true);
        await Assert.ThrowsAsync<DigestMismatchException>(() => new PackageLocator(xpkg.Source).ParseAsync(root, manifest, CancellationToken.None));
    }

    [Fact]
    public async Task Annotation_wins_over_label()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", OtherMeta))), label: "base");
        var annotated = image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta))), annotation: "base");
        var (package, location) = await Locate(image);
        Assert.Equal(BaseLayerSource.Annotation, location.FoundBy);
        Assert.Equal(annotated.Digest, location.Layer.Digest);
        Assert.Equal("fn", package.Meta?.Name);
    }

    [Fact]
    public async Task Label_is_used_when_annotations_were_dropped_even_if_another_layer_has_package_yaml()
    {
        var image = new TestImage();
        var labelled = image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta))), label: "base");
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", OtherMeta))), label: "upbound");
        var (package, location) = await Locate(image);
        Assert.Equal(BaseLayerSource.ConfigLabel, location.FoundBy);
        Assert.Equal(labelled.Digest, location.Layer.Digest);
        Assert.Equal("fn", package.Meta?.Name);
    }

    [Fact]
    public async Task Recompressed_layers_fall_back_to_the_flattened_filesystem()
    {
        // What skopeo leaves after recompressing: labels name digests no layer has any more.
        var image = new TestImage();
        image.AddLabel(PackageNames.AnnotationKey + ":" + XpkgFile.BaseLayer, "base");
        image.AddLayer(TestImage.Zstd(TestImage.Tar(("bin/function", "binary"))), mediaType: MediaTypes.OciLayerZstd);
        var provider = image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta))));
        image.AddLayer(TestImage.Tar((".up/examples.yaml", "kind: X\n")), mediaType: MediaTypes.OciLayer);
        var (package, location) = await Locate(image);
        Assert.Equal(BaseLayerSource.Flattened, location.FoundBy);
        Assert.Equal(provider.Digest, location.Layer.Digest);
        Assert.Equal("fn", package.Meta?.Name);
        Assert.StartsWith("package.yaml found in the flattened filesystem", location.Explain(), StringComparison.Ordinal);
        Assert.Equal(["no layer is annotated io.crossplane.xpkg: base", $"config label io.crossplane.xpkg:{XpkgFile.BaseLayer}=base names no layer of this image (were the layers recompressed?)"], location.Notes);
        Assert.Contains("were the layers recompressed?", location.Explain(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Flattened_search_uses_the_topmost_visible_entry_and_honours_whiteouts()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", OtherMeta), ("pkg/", null), ("pkg/package.yaml", OtherMeta))));
        var middle = image.AddLayer(TestImage.Gzip(TestImage.Tar(("a/", null), ("a/package.yaml", Meta))));
        image.AddLayer(TestImage.Gzip(TestImage.Tar((".wh.package.yaml", ""), ("pkg/.wh..wh..opq", ""))));
        var (package, location) = await Locate(image);
        Assert.Equal(middle.Digest, location.Layer.Digest);
        Assert.Equal("a/package.yaml", location.EntryName);
        Assert.Equal("fn", package.Meta?.Name);
    }

    [Fact]
    public async Task Whited_out_package_is_not_found()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("cfg/", null), ("cfg/package.yaml", Meta))));
        image.AddLayer(TestImage.Gzip(TestImage.Tar((".wh.cfg", ""))));
        var e = await Assert.ThrowsAsync<PackageNotFoundException>(() => Locate(image));
        Assert.StartsWith("package.yaml not found in package", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Fact]
    public async Task Nested_package_yaml_matches_by_base_name_in_the_base_layer()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("README.md", "x"), ("./sub/package.yaml", Meta))), annotation: "base");
        var (_, location) = await Locate(image);
        Assert.Equal("./sub/package.yaml", location.EntryName);
    }

    [Fact]
    public async Task Base_layer_without_package_yaml_does_not_fall_back()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta))));
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("other.yaml", Meta))), annotation: "base");
        var e = await Assert.ThrowsAsync<PackageNotFoundException>(() => Locate(image));
        Assert.Contains("base layer", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Several_base_layers_are_an_error(bool annotated)
    {
        var image = new TestImage();
        for (int i = 0; i < 2; i++)
        {
            image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta + $"# {i}\n"))), annotation: annotated ? "base" : null, label: annotated ? null : "base");
        }

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Locate(image));
        Assert.Equal("package is invalid due to multiple annotated base layers", e.Message);
    }

    [Fact]
    public async Task More_than_256_layers_are_rejected()
    {
        var image = new TestImage();
        for (int i = 0; i < PackageLocator.MaxLayers + 1; i++)
        {
            image.AddLayer(TestImage.Tar(($"f{i}", "x")), mediaType: MediaTypes.OciLayer);
        }

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Locate(image));
        Assert.Contains("257 layers, more than the 256", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_index_resolves_to_its_linux_amd64_manifest()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta))), annotation: "base");
        var (root, _) = image.Build();
        string index = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":["
            + $"{{\"mediaType\":\"{root.MediaType}\",\"digest\":\"sha256:{new string('0', 64)}\",\"size\":1,\"platform\":{{\"os\":\"linux\",\"architecture\":\"arm64\"}}}},"
            + $"{{\"mediaType\":\"{root.MediaType}\",\"digest\":\"{root.Digest}\",\"size\":{root.Size},\"platform\":{{\"os\":\"linux\",\"architecture\":\"amd64\"}}}}]}}";
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(index);
        var indexDescriptor = image.Source.Add(bytes, MediaTypes.OciIndex);
        var (package, location) = await new PackageLocator(image.Source).ParseAsync(indexDescriptor, bytes, CancellationToken.None);
        Assert.Equal(root.Digest, location.Manifest.Digest);
        Assert.Equal("fn", package.Meta?.Name);
    }

    [Fact]
    public async Task Manifest_bytes_must_match_the_root_digest()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", Meta))), annotation: "base");
        var (root, manifest) = image.Build();
        manifest[^2] ^= 1;
        await Assert.ThrowsAsync<DigestMismatchException>(() => new PackageLocator(image.Source).OpenAsync(root, manifest, CancellationToken.None));
    }

    [Fact]
    public async Task A_layer_that_is_not_a_tar_is_bad_input()
    {
        var image = new TestImage();
        image.AddLayer(TestImage.Gzip("this is not a tar archive, just some text that is long enough to fill a header block......................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................"u8.ToArray()), annotation: "base");
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => Locate(image));
        Assert.Contains("is not a valid (compressed) tar archive", e.Message, StringComparison.Ordinal);
    }

    private static Task<(ParsedPackage Package, PackageLocation Location)> Locate(TestImage image)
    {
        var (root, manifest) = image.Build();
        return new PackageLocator(image.Source).ParseAsync(root, manifest, CancellationToken.None);
    }
}
