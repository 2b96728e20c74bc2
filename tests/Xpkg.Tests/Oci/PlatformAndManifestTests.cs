using System.Text;
using Xpkg.Oci;

namespace Xpkg.Tests.Oci;

public class PlatformAndManifestTests
{
    [Theory]
    [InlineData("linux/amd64", "linux", "amd64", null, true)]
    [InlineData("linux/arm64", "linux", "arm64", "v8", true)]
    [InlineData("linux/arm64/v8", "linux", "arm64", null, true)]
    [InlineData("linux/arm/v7", "linux", "arm", null, true)]
    [InlineData("linux/arm/v6", "linux", "arm", "v7", false)]
    [InlineData("linux/amd64", "linux", "arm64", "v8", false)]
    [InlineData("linux/amd64", "windows", "amd64", null, false)]
    public void MatchesWithContainerdNormalisation(string wanted, string os, string arch, string? variant, bool expected)
    {
        var candidate = new Platform { OS = os, Architecture = arch, Variant = variant };
        Assert.Equal(expected, Platform.Parse(wanted).Matches(candidate));
    }

    [Theory]
    [InlineData("linux")]
    [InlineData("linux/")]
    [InlineData("a/b/c/d")]
    public void RejectsBadPlatforms(string text) => Assert.Throws<InvalidInputException>(() => Platform.Parse(text));

    [Fact]
    public void ParsesAnIndexAndAManifest()
    {
        const string d = "sha256:e45947749b060a2289c9c60cdb0f2c9b50e3d6e8022dc1bf74ed6c6de4f7d4bf";
        var index = ParsedManifest.Parse(Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"" + d + "\",\"size\":401,\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}"));
        Assert.True(index.IsIndex);
        Assert.Single(index.Manifests);
        Assert.Equal("linux/amd64", index.Manifests[0].Platform!.ToString());

        // No mediaType field: the declared type (e.g. a Content-Type) decides.
        var manifest = ParsedManifest.Parse(Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + d + "\",\"size\":2},\"layers\":[],\"newUnspecifiedField\":1}"),
            MediaTypes.DockerManifest);
        Assert.Equal(MediaTypes.DockerManifest, manifest.MediaType);
        Assert.Single(manifest.Children);
    }

    [Theory]
    [InlineData("{\"schemaVersion\":1,\"fsLayers\":[]}", "schema 1")]
    [InlineData("[1,2]", "not a JSON object")]
    [InlineData("{\"schemaVersion\":2", "not valid JSON")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"layers\":[]}", "no \"config\"")]
    [InlineData("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"x\",\"digest\":\"sha256:00\",\"size\":1}}", "invalid digest")]
    public void RejectsBadManifests(string json, string message)
    {
        var e = Assert.Throws<InvalidInputException>(() => ParsedManifest.Parse(Encoding.UTF8.GetBytes(json)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectsMediaTypeDisagreement()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}");
        Assert.Throws<InvalidInputException>(() => ParsedManifest.Parse(bytes, MediaTypes.OciManifest));
    }
}
