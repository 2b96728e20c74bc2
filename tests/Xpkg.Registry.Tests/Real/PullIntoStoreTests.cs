using Xpkg.Oci;
using Xpkg.Registry.Tests.Support;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Registry.Tests.Real;

/// <summary>Pull and push the way the CLI will: registry ↔ the lead's content store, through the copy engine.</summary>
[Collection(RealPeersCollection.Name)]
public class PullIntoStoreTests(RealPeers peers)
{
    [Fact]
    public async Task Pull_into_the_store_and_push_back_keep_the_digest()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var dir = new TempDir();
        var store = ContentStore.Open(Path.Combine(dir.Path, "cache"));
        // The store verifies what it writes, so the registry side need not hash a second time.
        using var client = new RegistryClient(TestClients.Options() with { VerifyBlobs = false });
        var reference = ImageReference.Parse($"{plain.Authority}/test/skopeo:v1");
        var root = await client.ResolveAsync(reference, default);
        await CopyEngine.CopyAsync(client.Repository(reference), root, store, new CopyOptions(), default);
        await store.TagAsync(reference.ToString(), root, "registry", default);
        Assert.True(await store.IsCompleteAsync(root, default));
        Assert.Equal(peers.Image!.LayerBytes, await store.ReadSmallBlobAsync(peers.Image.Layer, default));

        var target = client.Repository(plain.Authority, "test/from-store");
        await CopyEngine.CopyAsync(store, root, target, new CopyOptions(), default);
        await target.TagAsync("v1", root, "cache", default);
        Assert.Equal(root.Digest, (await client.ResolveAsync(ImageReference.Parse($"{plain.Authority}/test/from-store:v1"), default)).Digest);
    }
}
