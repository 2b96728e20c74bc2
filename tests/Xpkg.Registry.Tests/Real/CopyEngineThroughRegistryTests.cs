using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;
using Xpkg.Transfer;

namespace Xpkg.Registry.Tests.Real;

/// <summary>The lead's copy engine with a registry repository at both ends: registry to registry, digests kept.</summary>
[Collection(RealPeersCollection.Name)]
public class CopyEngineThroughRegistryTests(RealPeers peers)
{
    [Fact]
    public async Task Copy_engine_copies_between_repositories_keeping_the_digest()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var client = new RegistryClient(TestClients.Options());
        var source = client.Repository(plain.Authority, "test/skopeo");
        var target = client.Repository(plain.Authority, "test/copied");
        target.MountSources.Add("test/skopeo");
        var root = await source.ResolveAsync("v1", default);

        var result = await CopyEngine.CopyAsync(source, root, target, new CopyOptions(), default);
        await target.TagAsync("copied", root, source.Description, default);

        Assert.Equal(peers.Image!.Manifest.Digest, (await target.ResolveAsync("copied", default)).Digest);
        Assert.True(client.Log.Contains("push", "mounted"));
        string json = await Run.ToolAsync("/usr/bin/skopeo", ["inspect", "--tls-verify=false", $"docker://{plain.Authority}/test/copied:copied"]);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal(root.Digest.ToString(), doc.RootElement.GetProperty("Digest").GetString());
        Assert.NotNull(result);
    }

    [Fact]
    public async Task Missing_content_is_reported_as_not_found()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var client = new RegistryClient(TestClients.Options());
        var absent = Descriptor.For(MediaTypes.OciManifest, "{\"nothing\":1}"u8);
        var e = await Assert.ThrowsAsync<ContentNotFoundException>(() => client.Repository(plain.Authority, "test/skopeo").OpenAsync(absent, default));
        Assert.Equal(absent.Digest, e.Digest);
    }
}
