using System.Net;
using Xpkg.Oci;
using Xpkg.Server;

namespace Xpkg.Server.Tests;

/// <summary><c>--read-only</c>: everything that reads works, everything that writes is refused.</summary>
public sealed class ReadOnlyTests
{
    [Fact]
    public async Task ReadOnly_ServesPulls_RefusesPushesAndDeletes()
    {
        var registry = new ReadOnlyRegistry();
        await registry.InitializeAsync();
        try
        {
            var data = new ConformanceData();
            foreach (var blob in new[] { data.Configs[0], data.Layer, data.Manifests[0] })
            {
                await registry.Store.WriteAsync(Descriptor.For("application/octet-stream", blob), new MemoryStream(blob), CancellationToken.None);
            }

            await registry.Store.TagAsync($"{registry.Server.RegistryHost}/ro/image:latest", Descriptor.For(MediaTypes.OciManifest, data.Manifests[0]), "test", CancellationToken.None);
            var api = new RegistryApi(registry.Client);
            using (var get = await api.SendAsync(HttpMethod.Get, "/v2/ro/image/manifests/latest"))
            {
                Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            }

            using (var post = await api.SendAsync(HttpMethod.Post, "/v2/ro/image/blobs/uploads/"))
            {
                Assert.Equal(HttpStatusCode.MethodNotAllowed, post.StatusCode);
                Assert.Contains("UNSUPPORTED", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            using (var put = await api.PutManifestAsync("ro/image", "other", data.Manifests[0]))
            {
                Assert.Equal(HttpStatusCode.MethodNotAllowed, put.StatusCode);
            }

            using var delete = await api.SendAsync(HttpMethod.Delete, "/v2/ro/image/manifests/latest");
            Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        }
        finally
        {
            await registry.DisposeAsync();
        }
    }

    private sealed class ReadOnlyRegistry : RegistryFixture
    {
        protected override RegistryServerOptions Configure(RegistryServerOptions options) => options with { ReadOnly = true };
    }
}
