using System.Net;
using System.Text.Json;

namespace Xpkg.Server.Tests;

/// <summary>Conformance "Content Management" workflow (checks G1–G4, B1–B2 of oci-registries.md §10.3) and teardown.</summary>
public sealed class ContentManagementTests : IAsyncLifetime
{
    private const string Name = "conformance/management";
    private readonly ConformanceRegistry _registry = new();
    private readonly ConformanceData _data = new();

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        await _registry.Api.PushImageAsync(Name, "tagtest0", _data.Configs[3], _data.Layer, _data.Manifests[3]);
    }

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task G1_to_G4_B1_B2_DeleteTagManifestAndBlobs()
    {
        var manifest = ConformanceData.DigestOf(_data.Manifests[3]);
        int tagsBefore = await TagCountAsync();
        using (var g1 = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/tagtest0"))
        {
            // Tag deletion may be disallowed: 405, or 400 that must say UNSUPPORTED.
            Assert.True(g1.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed, g1.StatusCode.ToString());
            if (g1.StatusCode == HttpStatusCode.BadRequest)
            {
                Assert.Contains("\"code\":\"UNSUPPORTED\"", await g1.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }
        }

        using (var g2 = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/manifests/{manifest}"))
        {
            Assert.True(g2.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NotFound, g2.StatusCode.ToString());
        }

        using (var g3 = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/{manifest}", configure: r => r.Headers.Accept.ParseAdd(Xpkg.Oci.MediaTypes.OciManifest)))
        {
            Assert.Equal(HttpStatusCode.NotFound, g3.StatusCode);
        }

        using (var g4 = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/tags/list"))
        {
            if (g4.StatusCode != HttpStatusCode.NotFound)
            {
                Assert.Equal(HttpStatusCode.OK, g4.StatusCode);
                Assert.Equal(tagsBefore - 1, await TagCountAsync());
            }
        }

        foreach (var blob in new[] { _data.Configs[3], _data.Layer })
        {
            var digest = ConformanceData.DigestOf(blob);
            using var b1 = await _registry.Api.SendAsync(HttpMethod.Delete, $"/v2/{Name}/blobs/{digest}");
            Assert.True(b1.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, b1.StatusCode.ToString());
            if (b1.StatusCode == HttpStatusCode.Accepted)
            {
                using var b2 = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{digest}");
                Assert.Equal(HttpStatusCode.NotFound, b2.StatusCode);
            }
        }
    }

    private async Task<int> TagCountAsync()
    {
        using var r = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/tags/list");
        if (r.StatusCode == HttpStatusCode.NotFound)
        {
            return 0;
        }

        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        return doc.RootElement.GetProperty("tags").GetArrayLength();
    }
}
