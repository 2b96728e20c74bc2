using System.Net;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>Conformance "Push" workflow (checks S1–S2, M1–M8, C1–C6, X1–X6, U1–U4 of oci-registries.md §10.3).</summary>
public sealed class PushWorkflowTests(PushWorkflowTests.Setup setup) : IClassFixture<PushWorkflowTests.Setup>
{
    private const string Name = "conformance/push";
    private const string MountName = "conformance/crossmount";
    private readonly RegistryApi _api = setup.Api;
    private readonly ConformanceData _data = setup.Data;

    public sealed class Setup : ConformanceRegistry
    {
        public ConformanceData Data { get; } = new();

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
        }
    }

    [Fact]
    public async Task S1_S2_StreamedUpload_PatchWithoutRangeThenEmptyPut()
    {
        using var post = await _api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        using var patch = await _api.SendAsync(HttpMethod.Patch, RegistryApi.Location(post), _data.BlobA);
        Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        Assert.Equal("0-41", RegistryApi.Header(patch, "Range"));

        using var put = await _api.SendAsync(HttpMethod.Put, RegistryApi.WithDigest(RegistryApi.Location(patch), ConformanceData.DigestOf(_data.BlobA)));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.NotNull(put.Headers.Location);
        Assert.Equal(ConformanceData.DigestOf(_data.BlobA).ToString(), RegistryApi.Header(put, "Docker-Content-Digest"));
    }

    [Fact]
    public async Task M1_to_M8_MonolithicUploads()
    {
        // Config[0] here because the U checks push config[1] first when they happen to run first.
        var config = ConformanceData.DigestOf(_data.Configs[0]);
        using (var m1 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DummyDigest}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, m1.StatusCode);
        }

        // A registry may answer a single-request upload with 202 and expect the PUT; then the blob is not there yet.
        bool single;
        using (var m2 = await _api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/?digest={config}", _data.Configs[0]))
        {
            Assert.True(m2.StatusCode is HttpStatusCode.Created or HttpStatusCode.Accepted, m2.StatusCode.ToString());
            Assert.NotNull(m2.Headers.Location);
            single = m2.StatusCode == HttpStatusCode.Created;
        }

        using (var m3 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{config}"))
        {
            Assert.Equal(single ? HttpStatusCode.OK : HttpStatusCode.NotFound, m3.StatusCode);
        }

        using (var m4 = await _api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/"))
        {
            Assert.Equal(HttpStatusCode.Accepted, m4.StatusCode);
            using var m5 = await _api.SendAsync(HttpMethod.Put, RegistryApi.WithDigest(RegistryApi.Location(m4), config), _data.Configs[0]);
            Assert.Equal(HttpStatusCode.Created, m5.StatusCode);
            Assert.NotNull(m5.Headers.Location);
        }

        using (var m6 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{config}"))
        {
            Assert.Equal(_data.Configs[0], await m6.Content.ReadAsByteArrayAsync());
        }

        using (var m7 = await _api.PushBlobAsync(Name, _data.Layer))
        {
            Assert.Equal(HttpStatusCode.Created, m7.StatusCode);
        }

        using var m8 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.Layer)}");
        Assert.Equal(_data.Layer, await m8.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task C1_to_C6_ChunkedUpload_OutOfOrderIs416AndResumes()
    {
        byte[] chunk1 = _data.BlobB[..22];
        byte[] chunk2 = _data.BlobB[22..];

        using (var post = await _api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/", [], configure: r => r.Content!.Headers.ContentLength = 0))
        {
            using var c1 = await Patch(RegistryApi.Location(post), chunk2, "22-41");
            Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, c1.StatusCode);
        }

        using var post2 = await _api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        string stale = RegistryApi.Location(post2);
        using var c2 = await Patch(stale, chunk1, "0-21");
        Assert.Equal(HttpStatusCode.Accepted, c2.StatusCode);
        Assert.Equal("0-21", RegistryApi.Header(c2, "Range"));

        using var c3 = await Patch(stale, chunk1, "0-21");
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, c3.StatusCode);

        using var c4 = await _api.SendAsync(HttpMethod.Get, stale);
        Assert.Equal(HttpStatusCode.NoContent, c4.StatusCode);
        Assert.Equal("0-21", RegistryApi.Header(c4, "Range"));

        using var c5 = await Patch(RegistryApi.Location(c4), chunk2, "22-41");
        Assert.Equal(HttpStatusCode.Accepted, c5.StatusCode);
        Assert.Equal("0-41", RegistryApi.Header(c5, "Range"));

        using var c6 = await _api.SendAsync(HttpMethod.Put, RegistryApi.WithDigest(RegistryApi.Location(c5), ConformanceData.DigestOf(_data.BlobB)), [],
            configure: r => r.Content!.Headers.ContentLength = 0);
        Assert.Equal(HttpStatusCode.Created, c6.StatusCode);
        Assert.NotNull(c6.Headers.Location);

        using var get = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{ConformanceData.DigestOf(_data.BlobB)}");
        Assert.Equal(_data.BlobB, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task X1_to_X6_CrossRepositoryMount_IncludingAutomatic()
    {
        using (var a = await _api.PushBlobAsync(Name, _data.BlobA))
        {
            Assert.Equal(HttpStatusCode.Created, a.StatusCode);
        }

        using (var x1 = await _api.SendAsync(HttpMethod.Post, $"/v2/{MountName}/blobs/uploads/?mount={ConformanceData.DummyDigest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, x1.StatusCode);
            Assert.StartsWith($"/v2/{MountName}/blobs/uploads/", PathOf(x1), StringComparison.Ordinal);
        }

        var digest = ConformanceData.DigestOf(_data.BlobA);
        using var x2 = await _api.SendAsync(HttpMethod.Post, $"/v2/{MountName}/blobs/uploads/?mount={digest}&from={Name}");
        if (x2.StatusCode == HttpStatusCode.Accepted)
        {
            // X4: mounting unsupported, a normal upload began instead.
            Assert.StartsWith($"/v2/{MountName}/blobs/uploads/", PathOf(x2), StringComparison.Ordinal);
            return;
        }

        Assert.Equal(HttpStatusCode.Created, x2.StatusCode);
        Assert.Equal($"/v2/{MountName}/blobs/{digest}", PathOf(x2));
        using (var x3 = await _api.SendAsync(HttpMethod.Get, RegistryApi.Location(x2)))
        {
            Assert.Equal(HttpStatusCode.OK, x3.StatusCode);
        }

        // X5: this registry mounts automatically when "from" is absent (X6, the opposite, is what others do).
        if (setup.IsExternal)
        {
            return;
        }

        using var x5 = await _api.SendAsync(HttpMethod.Post, $"/v2/{MountName}/blobs/uploads/?mount={digest}");
        Assert.Equal(HttpStatusCode.Created, x5.StatusCode);
    }

    private string PathOf(HttpResponseMessage response) => new Uri(_api.Client.BaseAddress!, RegistryApi.Location(response)).AbsolutePath;

    [Fact]
    public async Task U1_to_U4_ManifestUploads_TagsAndEmptyLayers()
    {
        foreach (var blob in new[] { _data.Configs[1], _data.Layer })
        {
            using var put = await _api.PushBlobAsync(Name, blob);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using (var u1 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/{ConformanceData.InvalidManifestName}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, u1.StatusCode);
        }

        var digest = ConformanceData.DigestOf(_data.Manifests[1]);
        for (int i = 0; i < 4; i++)
        {
            using var u2 = await _api.PutManifestAsync(Name, "test" + i, _data.Manifests[1]);
            Assert.Equal(HttpStatusCode.Created, u2.StatusCode);
            Assert.NotNull(u2.Headers.Location);
            Assert.Equal(digest.ToString(), RegistryApi.Header(u2, "Docker-Content-Digest"));
        }

        using (var u3 = await _api.PutManifestAsync(Name, "emptylayer", _data.EmptyLayerManifest))
        {
            Assert.Equal(HttpStatusCode.Created, u3.StatusCode);
            Assert.NotNull(u3.Headers.Location);
        }

        using var u4 = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/{digest}", configure: r => r.Headers.Accept.ParseAdd(MediaTypes.OciManifest));
        Assert.Equal(HttpStatusCode.OK, u4.StatusCode);
        Assert.Equal(_data.Manifests[1], await u4.Content.ReadAsByteArrayAsync());
    }

    private Task<HttpResponseMessage> Patch(string location, byte[] chunk, string range)
        => _api.SendAsync(HttpMethod.Patch, location, chunk, configure: r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", range));
}
