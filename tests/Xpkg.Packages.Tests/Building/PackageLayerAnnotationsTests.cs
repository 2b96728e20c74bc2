using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Packages.Building;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Tests.Building;

public class PackageLayerAnnotationsTests
{
    [Fact]
    public void Labels_of_the_real_xpkg_become_layer_annotations()
    {
        var xpkg = XpkgFile.Open();
        var labels = ImageConfigLabels.Parse(xpkg.Entries[XpkgFile.ConfigDigest], Digest.Parse(XpkgFile.ConfigDigest));
        var (_, manifest) = xpkg.Manifest(annotated: false);
        byte[]? annotated = PackageLayerAnnotations.Annotate(manifest, MediaTypes.DockerManifest, labels);
        Assert.NotNull(annotated);
        Assert.Equal(XpkgFile.AnnotatedManifestDigest, Digest.Compute(annotated).ToString());
        Assert.Equal(xpkg.Manifest(annotated: true).Bytes, annotated);
    }

    [Fact]
    public void Without_labels_the_manifest_is_left_alone()
    {
        var xpkg = XpkgFile.Open();
        var (_, manifest) = xpkg.Manifest(annotated: false);
        Assert.Null(PackageLayerAnnotations.Annotate(manifest, MediaTypes.DockerManifest, new Dictionary<string, string>()));
    }

    [Fact]
    public async Task Other_layer_annotations_are_kept_and_the_locator_then_uses_the_annotation()
    {
        var image = new TestImage();
        var layer = image.AddLayer(TestImage.Gzip(TestImage.Tar(("package.yaml", "apiVersion: meta.pkg.crossplane.io/v1\nkind: Function\nmetadata:\n  name: fn\n"))), annotation: "third-party", label: "base");
        var (_, manifest) = image.Build();
        var labels = new Dictionary<string, string> { ["io.crossplane.xpkg:" + layer.Digest] = "base" };
        byte[] annotated = PackageLayerAnnotations.Annotate(manifest, MediaTypes.OciManifest, labels)!;
        var node = JsonNode.Parse(annotated)!;
        Assert.Equal("base", node["layers"]![0]!["annotations"]!["io.crossplane.xpkg"]!.GetValue<string>());

        var root = image.Source.Add(annotated, MediaTypes.OciManifest);
        var (_, location) = await new PackageLocator(image.Source).ParseAsync(root, annotated, CancellationToken.None);
        Assert.Equal(BaseLayerSource.Annotation, location.FoundBy);
    }

    [Fact]
    public void An_index_cannot_be_annotated()
        => Assert.Throws<InvalidInputException>(() => PackageLayerAnnotations.Annotate("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"u8, null, new Dictionary<string, string>()));
}
