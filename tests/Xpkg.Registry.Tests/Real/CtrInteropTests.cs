using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Real;

/// <summary>What the client pushes, a private containerd pulls (and unpacks) with the same digest.</summary>
[Collection(RealPeersCollection.Name)]
public class CtrInteropTests(RealPeers peers)
{
    [Fact]
    public async Task Ctr_pulls_what_the_client_pushed()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        var image = TestImage.Create(30_000, seed: 21);
        using (var client = new RegistryClient(TestClients.Options()))
        {
            await image.PushAsync(client.Repository(plain.Authority, "test/for-ctr"), "v1");
        }

        await using var containerd = await Containerd.StartAsync();
        string reference = $"{plain.Authority}/test/for-ctr:v1";
        await containerd.CtrOutputAsync("images", "pull", "--plain-http", "--snapshotter", "native", reference);
        string list = await containerd.CtrOutputAsync("images", "ls");
        string line = Assert.Single(list.Split('\n'), l => l.StartsWith(reference, StringComparison.Ordinal));
        Assert.Contains(image.Manifest.Digest.ToString(), line, StringComparison.Ordinal);
    }
}
