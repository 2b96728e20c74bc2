using System.Net;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>Conformance "Pull" workflow (checks P1–P13 of oci-registries.md §10.3).</summary>
public sealed class PullWorkflowTests(PullWorkflowTests.Setup setup) : IClassFixture<PullWorkflowTests.Setup>
{
    private const string Name = "conformance/pull";
    private readonly RegistryApi _api = setup.Api;
    private readonly ConformanceData _data = setup.Data;

    public sealed class Setup : ConformanceRegistry
    {
        public ConformanceData Data { get; } = new();

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            foreach (var blob in new[] { Data.Configs[0], Data.Configs[1], Data.Layer })
            {
                using var put = await Api.PushBlobAsync(Name, blob);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            using var tagged = await Api.PutManifestAsync(Name, "tagtest0", Data.Manifests[0]);
            Assert.Equal(HttpStatusCode.Created, tagged.StatusCode);
            using var byDigest = await Api.PutManifestAsync(Name, ConformanceData.DigestOf(Data.Manifests[1]).ToString(), Data.Manifests[1]);
            Assert.Equal(HttpStatusCode.Created, byDigest.StatusCode);
        }
    }

    private static void AcceptOci(HttpRequestMessage request) => request.Headers.Accept.ParseAdd(MediaTypes.OciManifest);

    [Fact]
    public async Task P1_HeadUnknownBlob_Is404()
    {
        using var r = await _api.SendAsync(HttpMethod.Head, $"/v2/{Name}/blobs/{ConformanceData.DummyDigest}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Fact]
    public async Task P2_HeadBlob_Is200WithDigestAndLength()
    {
        var digest = ConformanceData.DigestOf(_data.Configs[0]);
        using var r = await _api.SendAsync(HttpMethod.Head, $"/v2/{Name}/blobs/{digest}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(digest.ToString(), RegistryApi.Header(r, "Docker-Content-Digest"));
        Assert.Equal(_data.Configs[0].Length, r.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task P3_GetUnknownBlob_Is404WithBlobUnknown()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DummyDigest}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        Assert.Contains("BLOB_UNKNOWN", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task P4_GetBlob_ReturnsTheBytes()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.Configs[0])}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(_data.Configs[0], await r.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("HEAD")]
    [InlineData("GET")]
    public async Task P5_P9_UnknownManifest_Is404(string method)
    {
        using var r = await _api.SendAsync(new HttpMethod(method), $"/v2/{Name}/manifests/{ConformanceData.InvalidManifestName}");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task P6_P7_HeadManifestByDigest_Is200WithDigest(int i)
    {
        var digest = ConformanceData.DigestOf(_data.Manifests[i]);
        using var r = await _api.SendAsync(HttpMethod.Head, $"/v2/{Name}/manifests/{digest}", configure: m => m.Headers.Accept.ParseAdd(MediaTypes.OciManifest));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(digest.ToString(), RegistryApi.Header(r, "Docker-Content-Digest"));
        Assert.Equal(_data.Manifests[i].Length, r.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task P8_HeadManifestByTag_GivesItsDigest()
    {
        using var r = await _api.SendAsync(HttpMethod.Head, $"/v2/{Name}/manifests/tagtest0", configure: m => m.Headers.Accept.ParseAdd(MediaTypes.OciManifest));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(ConformanceData.DigestOf(_data.Manifests[0]).ToString(), RegistryApi.Header(r, "Docker-Content-Digest"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public async Task P10_P11_GetManifestByDigest_IsByteExactWithItsType(int i)
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/{ConformanceData.DigestOf(_data.Manifests[i])}", configure: AcceptOci);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(MediaTypes.OciManifest, r.Content.Headers.ContentType?.MediaType);
        Assert.Equal(_data.Manifests[i], await r.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task P12_GetManifestByTag_IsByteExact()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/tagtest0", configure: AcceptOci);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(_data.Manifests[0], await r.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task P13_GetManifestWithInvalidDigest_Is400WithKnownCode()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/sha256:totallywrong", "blablabla"u8.ToArray());
        Assert.True(r.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, r.StatusCode.ToString());
        if (r.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.StartsWith("{\"errors\":[{\"code\":\"DIGEST_INVALID\"", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }
}
