using System.Text;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Packages.Building;

namespace Xpkg.Packages.Tests.Building;

public class PackageImageDocumentsTests
{
    private static readonly PackageLayer[] FixtureLayers =
    [
        new(new Descriptor { MediaType = MediaTypes.DockerLayerGzip, Digest = Digest.Parse(XpkgFile.BaseLayer), Size = 9446 },
            Digest.Parse("sha256:71b890ac23db31725973e74a1112695fbc9596a2bdf801c97293455651098bf6"), "base", ""),
        new(new Descriptor { MediaType = MediaTypes.DockerLayerGzip, Digest = Digest.Parse(XpkgFile.ExamplesLayer), Size = 913 },
            Digest.Parse("sha256:826852563e079123b274303bb47544178516e6eb5020b9caa0f3919826c7fea5"), "upbound", ""),
    ];

    [Fact]
    public void Config_is_byte_identical_to_the_crossplane_cli()
    {
        var xpkg = XpkgFile.Open();
        byte[] config = PackageImageDocuments.EmptyBaseConfig(FixtureLayers);
        Assert.Equal(Encoding.UTF8.GetString(xpkg.Entries[XpkgFile.ConfigDigest]), Encoding.UTF8.GetString(config));
        Assert.Equal(XpkgFile.ConfigDigest, Digest.Compute(config).ToString());
    }

    [Fact]
    public void Manifest_digest_matches_the_fixture_file_name()
    {
        byte[] config = PackageImageDocuments.EmptyBaseConfig(FixtureLayers);
        byte[] manifest = PackageImageDocuments.Manifest(MediaTypes.DockerManifest,
            Descriptor.For(MediaTypes.DockerConfig, config), FixtureLayers.Select(l => l.Descriptor));
        Assert.Equal(XpkgFile.ManifestDigest, Digest.Compute(manifest).ToString());
        Assert.Equal("function-conditional-patch-and-transform-9b3ddecdb8ff",
            PackageNames.FriendlyId("function-conditional-patch-and-transform", Digest.Compute(manifest).Encoded));
    }

    [Fact]
    public void Annotated_manifest_matches_the_documented_push_digest()
    {
        byte[] config = PackageImageDocuments.EmptyBaseConfig(FixtureLayers);
        var layers = FixtureLayers.Select(l => l.Descriptor with { Annotations = new Dictionary<string, string> { [PackageNames.AnnotationKey] = l.Role } });
        byte[] manifest = PackageImageDocuments.Manifest(MediaTypes.DockerManifest, Descriptor.For(MediaTypes.DockerConfig, config), layers);
        Assert.Equal(XpkgFile.AnnotatedManifestDigest, Digest.Compute(manifest).ToString());
    }

    [Fact]
    public void Runtime_config_keeps_its_fields_and_gains_layers_and_labels()
    {
        string runtime = """{"architecture":"arm64","os":"linux","config":{"Entrypoint":["/function"],"Labels":{"org.opencontainers.image.title":"fn"}},"rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},"history":[{"created_by":"COPY function /"}]}""";
        var config = JsonNode.Parse(PackageImageDocuments.RuntimeBaseConfig(Encoding.UTF8.GetBytes(runtime), FixtureLayers))!;
        Assert.Equal("arm64", config["architecture"]!.GetValue<string>());
        Assert.Equal("/function", config["config"]!["Entrypoint"]![0]!.GetValue<string>());
        Assert.Equal("fn", config["config"]!["Labels"]!["org.opencontainers.image.title"]!.GetValue<string>());
        Assert.Equal("base", config["config"]!["Labels"]!["io.crossplane.xpkg:" + XpkgFile.BaseLayer]!.GetValue<string>());
        Assert.Equal(3, config["rootfs"]!["diff_ids"]!.AsArray().Count);
        Assert.Equal(3, config["history"]!.AsArray().Count);
    }

    [Fact]
    public void Invalid_runtime_config_is_bad_input()
        => Assert.Throws<InvalidInputException>(() => PackageImageDocuments.RuntimeBaseConfig("[1"u8, FixtureLayers));
}
