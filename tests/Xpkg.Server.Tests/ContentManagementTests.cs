using System.Net;
using System.Text.Json;

namespace Xpkg.Server.Tests;

/// <summary>Conformance "Content Management" workflow (checks G1–G4, B1–B2 of oci-registries.md §10.3) and teardown.</summary>
public sealed class ContentManagementTests : IAsyncLifetime
{
    private const string Name = "conformance/management";
    private readonly RegistryFixture _registry = new();
    private readonly ConformanceData _data = new();
    private RegistryApi _api = null!;

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        _api = new RegistryApi(_registry.Client);
        await _api.PushImageAsync(Name, "tagtest0", _data.Configs[3], _data.Layer, _data.Manifests[3]);
    }

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task G1_to_G4_B1_B2_DeleteTagManifestAndBlobs()
    {
        var manifest = ConformanceData.DigestOf(_data.Manifests[3]);
        using (var g1 = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/tagtest0"))
        {
            Assert.Equal(HttpStatusCode.Accepted, g1.StatusCode);
        }

        using (var g2 = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{manifest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, g2.StatusCode);
        }

        using (var g3 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/{manifest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, g3.StatusCode);
        }

        using (var g4 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/tags/list"))
        {
            Assert.Equal(HttpStatusCode.NotFound, g4.StatusCode);
        }

        foreach (var blob in new[] { _data.Configs[3], _data.Layer })
        {
            var digest = ConformanceData.DigestOf(blob);
            using var b1 = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.Accepted, b1.StatusCode);
            using var b2 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{digest}");
            Assert.Equal(HttpStatusCode.NotFound, b2.StatusCode);
        }
    }

    [Fact]
    public async Task DeleteByDigest_RemovesEveryTagOfIt_AndTagCountDrops()
    {
        using (var second = await _api.PutManifestAsync(Name, "other", _data.Manifests[3]))
        {
            Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        }

        await _api.PushImageAsync(Name, "keep", _data.Configs[4], _data.Layer, _data.Manifests[4]);
        Assert.Equal(3, await TagCountAsync());
        using (var delete = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{ConformanceData.DigestOf(_data.Manifests[3])}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, delete.StatusCode);
        }

        Assert.Equal(1, await TagCountAsync());
        using var again = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{ConformanceData.DigestOf(_data.Manifests[3])}");
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
    }

    [Fact]
    public async Task DeleteBlob_StillUsedByAnImage_IsRefusedAndTheImageStaysWhole()
    {
        using var delete = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.Layer)}");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, delete.StatusCode);
        Assert.Contains("UNSUPPORTED", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var get = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.Layer)}");
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
    }

    [Fact]
    public async Task DeleteUnknownTagAndBlob_Are404()
    {
        using var tag = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/nosuchtag");
        Assert.Equal(HttpStatusCode.NotFound, tag.StatusCode);
        using var blob = await _api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{ConformanceData.DummyDigest}");
        Assert.Equal(HttpStatusCode.NotFound, blob.StatusCode);
    }

    private async Task<int> TagCountAsync()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/tags/list");
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("tags").GetArrayLength();
    }
}
