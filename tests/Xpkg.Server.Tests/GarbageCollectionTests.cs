using System.Net;
using System.Security.Cryptography;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server.Tests;

/// <summary>A <c>cache gc</c> while the server runs spares blobs pushed ahead of their manifest and uploads in progress.</summary>
public sealed class GarbageCollectionTests : IAsyncLifetime
{
    private readonly RegistryFixture _registry = new();

    public Task InitializeAsync() => _registry.InitializeAsync();

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task Gc_DuringAPush_KeepsUnreferencedNewBlobsAndOpenUploads()
    {
        var api = new RegistryApi(_registry.Client);
        byte[] blob = RandomNumberGenerator.GetBytes(2048);
        using (var put = await api.PushBlobAsync("gc/test", blob))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var post = await api.SendAsync(HttpMethod.Post, "/v2/gc/test/blobs/uploads/");
        using (var patch = await api.SendAsync(HttpMethod.Patch, RegistryApi.Location(post), new byte[100]))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        }

        var result = await new GarbageCollector(_registry.Store).CollectAsync(CancellationToken.None);
        Assert.Equal(0, result.Removed);
        Assert.Equal(0, result.TemporaryFilesRemoved);
        Assert.True(File.Exists(_registry.Store.BlobPath(Digest.Compute(blob))));

        using var status = await api.SendAsync(HttpMethod.Get, RegistryApi.Location(post));
        Assert.Equal(HttpStatusCode.NoContent, status.StatusCode);
        Assert.Equal("0-99", RegistryApi.Header(status, "Range"));
    }
}
