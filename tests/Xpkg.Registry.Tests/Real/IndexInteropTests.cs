using System.Text;
using Xpkg.Oci;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Real;

/// <summary>A multi-platform index pushed by <c>skopeo copy --all</c> comes back byte-exact, children included.</summary>
[Collection(RealPeersCollection.Name)]
public class IndexInteropTests(RealPeers peers)
{
    [Fact]
    public async Task Index_pushed_by_skopeo_resolves_to_the_same_digest_with_its_children()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var dir = new TempDir();
        var amd64 = TestImage.Create(5_000, seed: 31);
        var arm64 = TestImage.Create(6_000, seed: 32);
        string layout = Path.Combine(dir.Path, "layout");
        amd64.WriteLayout(layout, "unused-a");
        arm64.WriteLayout(layout, "unused-b");
        var children = new[]
        {
            amd64.Manifest with { Platform = new Platform { OS = "linux", Architecture = "amd64" } },
            arm64.Manifest with { Platform = new Platform { OS = "linux", Architecture = "arm64", Variant = "v8" } },
        };
        byte[] index = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{string.Join(",", children.Select(TestImage.Json))}}]}""");
        var indexDesc = Descriptor.For(MediaTypes.OciIndex, index);
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", indexDesc.Digest.Encoded), index);
        var entry = indexDesc with { Annotations = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = "multi" } };
        File.WriteAllText(Path.Combine(layout, "index.json"), $$"""{"schemaVersion":2,"manifests":[{{TestImage.Json(entry)}}]}""");
        await Run.ToolAsync("/usr/bin/skopeo", ["copy", "--all", "--preserve-digests", "--dest-tls-verify=false", $"oci:{layout}:multi", $"docker://{plain.Authority}/test/multi:v1"]);

        using var client = new RegistryClient(TestClients.Options());
        var repo = client.Repository(plain.Authority, "test/multi");
        var root = await repo.ResolveAsync("v1", default);
        Assert.Equal(indexDesc.Digest, root.Digest);
        Assert.Equal(MediaTypes.OciIndex, root.MediaType);
        var fetched = await repo.GetManifestAsync("v1", default);
        Assert.Equal(index, fetched.Bytes.ToArray());
        var parsed = fetched.Parse();
        Assert.Equal([amd64.Manifest.Digest, arm64.Manifest.Digest], parsed.Manifests.Select(m => m.Digest));
        var arm = parsed.Manifests.Single(m => Platform.Parse("linux/arm64").Matches(m.Platform));
        await using var s = await repo.OpenAsync(arm, default);
        Assert.Equal(arm64.ManifestBytes, await TestClients.ReadAllAsync(s));
    }
}
