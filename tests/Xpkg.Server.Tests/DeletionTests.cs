using System.Net;
using System.Text.Json;

namespace Xpkg.Server.Tests;

/// <summary>How deletes behave on a cache shared with the CLI: beyond what the conformance workflows check.</summary>
public sealed class DeletionTests : IAsyncLifetime
{
    private const string Name = "deletion/test";
    private readonly RegistryFixture _registry = new();
    private readonly ConformanceData _data = new();

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        await _registry.Api.PushImageAsync(Name, "tagtest0", _data.Configs[3], _data.Layer, _data.Manifests[3]);
    }

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task DeleteByDigest_RemovesEveryTagOfIt_AndTagCountDrops()
    {
        using (var second = await _registry.Api.PutManifestAsync(Name, "other", _data.Manifests[3]))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        await _registry.Api.PushImageAsync(Name, "keep", _data.Configs[4], _data.Layer, _data.Manifests[4]);
        Assert.Equal(3, await TagCountAsync());
        using (var delete = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{ConformanceData.DigestOf(_data.Manifests[3])}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Equal(1, await TagCountAsync());
        using var again = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{ConformanceData.DigestOf(_data.Manifests[3])}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task DeleteBlob_StillUsedByAnImage_IsRefusedAndTheImageStaysWhole()
    {
        using var delete = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.Layer)}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Contains("UNSUPPORTED", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var get = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.Layer)}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task DeleteUnknownTagAndBlob_Are404()
    {
        using var tag = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/nosuchtag");
        Assert.Equal(HttpStatusCode.NotFound, tag.StatusCode);
        using var blob = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{ConformanceData.DummyDigest}");
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
    }

    [Fact]
    public async Task DeleteTagAndManifest_ThenBlobs_AllAccepted_AndCacheVerifies()
    {
        using (var tag = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/tagtest0"))
        {
            Assert.Equal(HttpStatusCode.Accepted, tag.StatusCode);
        }

        using (var manifest = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{ConformanceData.DigestOf(_data.Manifests[3])}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, manifest.StatusCode);
        }

        foreach (var blob in new[] { _data.Configs[3], _data.Layer })
        {
            using var delete = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(blob)}");
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        var verified = await new Xpkg.Store.StoreVerifier(_registry.Store).VerifyAsync(CancellationToken.None);
        Assert.Empty(verified.Corrupt);
        Assert.Empty(verified.MissingRoots);
    }

    private async Task<int> TagCountAsync()
    {
        using var r = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/tags/list");
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("tags").GetArrayLength();
    }
}
