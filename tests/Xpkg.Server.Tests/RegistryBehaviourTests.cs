using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>Manifests, ranges, listings and the cache-to-repository mapping, beyond the conformance checks.</summary>
public sealed class RegistryBehaviourTests : IAsyncLifetime
{
    private readonly RegistryFixture _registry = new();

    public Task InitializeAsync() => _registry.InitializeAsync();

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task FourMegabyteManifest_IsAcceptedAndServedByteExact_NineIsRefusedWith413()
    {
        var data = new ConformanceData();
        byte[] large = WithAnnotationPadding(data.Manifests[0], 4 * 1024 * 1024);
        await _registry.Api.PushImageAsync("big/manifest", "large", data.Configs[0], data.Layer, large);
        using (var get = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/big/manifest/manifests/large"))
        {
            Assert.Equal(large, await get.Content.ReadAsByteArrayAsync());
        }

        byte[] tooLarge = WithAnnotationPadding(data.Manifests[0], 9 * 1024 * 1024);
        using var put = await _registry.Api.PutManifestAsync("big/manifest", "toolarge", tooLarge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, put.StatusCode);
    }

    [Fact]
    public async Task DockerManifest_IsServedWithItsOwnContentType()
    {
        var data = new ConformanceData();
        byte[] docker = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(data.Manifests[0])
            .Replace(MediaTypes.OciManifest, MediaTypes.DockerManifest, StringComparison.Ordinal)
            .Replace(MediaTypes.OciConfig, MediaTypes.DockerConfig, StringComparison.Ordinal)
            .Replace(MediaTypes.OciLayerGzip, MediaTypes.DockerLayerGzip, StringComparison.Ordinal));
        foreach (var blob in new[] { data.Configs[0], data.Layer })
        {
            using var b = await _registry.Api.PushBlobAsync("docker/v2s2", blob);
        }

        using (var put = await _registry.Api.PutManifestAsync("docker/v2s2", "latest", docker, MediaTypes.DockerManifest))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        foreach (string reference in new[] { "latest", Digest.Compute(docker).ToString() })
        {
            using var get = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/docker/v2s2/manifests/" + reference);
            Assert.Equal(MediaTypes.DockerManifest, get.Content.Headers.ContentType?.MediaType);
            Assert.Equal(docker, await get.Content.ReadAsByteArrayAsync());
        }
    }

    [Fact]
    public async Task InvalidManifest_Is400ManifestInvalid_AndMismatchedDigestIs400()
    {
        using var junk = await _registry.Api.PutManifestAsync("bad/manifest", "latest", "blablabla"u8.ToArray());
        Assert.Equal(HttpStatusCode.BadRequest, junk.StatusCode);
        Assert.Contains("MANIFEST_INVALID", await junk.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var data = new ConformanceData();
        using var mismatch = await _registry.Api.PutManifestAsync("bad/manifest", ConformanceData.DigestOf(data.Manifests[1]).ToString(), data.Manifests[0]);
        Assert.Equal(HttpStatusCode.BadRequest, mismatch.StatusCode);
        Assert.Contains("DIGEST_INVALID", await mismatch.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushByDigestWithTagParameters_TagsEach_AndAnswersOciTag()
    {
        var data = new ConformanceData();
        foreach (var blob in new[] { data.Configs[0], data.Layer })
        {
            using var b = await _registry.Api.PushBlobAsync("tag/params", blob);
        }

        using var put = await _registry.Api.PutManifestAsync("tag/params", $"{ConformanceData.DigestOf(data.Manifests[0])}?tag=one&tag=two", data.Manifests[0]);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(["one", "two"], put.Headers.GetValues("OCI-Tag"));
        using var tags = JsonDocument.Parse(await _registry.Client.GetStringAsync("/v2/tag/params/tags/list"));
        Assert.Equal(["one", "two"], tags.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task Referrers_IncludeThoseListedUnderTheFallbackTag()
    {
        var data = new ConformanceData();
        await _registry.Api.PushImageAsync("fallback/test", "latest", data.Configs[0], data.Layer, data.Manifests[0]);
        var subject = ConformanceData.DigestOf(data.Manifests[0]);
        var listed = Digest.Compute("not really a manifest"u8);
        byte[] fallbackIndex = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":[{\"mediaType\":\""
            + MediaTypes.OciManifest + "\",\"digest\":\"" + listed + "\",\"size\":21,\"artifactType\":\"application/x-old\"}]}");
        using (var put = await _registry.Api.PutManifestAsync("fallback/test", "sha256-" + subject.Encoded, fallbackIndex, MediaTypes.OciIndex))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var r = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/fallback/test/referrers/{subject}");
        var index = JsonSerializer.Deserialize(await r.Content.ReadAsByteArrayAsync(), OciJsonContext.Default.OciIndexDocument)!;
        var only = Assert.Single(index.Manifests);
        Assert.Equal(listed, only.Digest);
        Assert.Equal("application/x-old", only.ArtifactType);
    }

    [Fact]
    public async Task BlobRanges_Give206WithContentRange_Or416()
    {
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.Compute(content);
        using (var put = await _registry.Api.PushBlobAsync("ranges/test", content))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        string url = $"/v2/ranges/test/blobs/{digest}";
        using (var part = await _registry.Api.SendAsync(HttpMethod.Get, url, configure: r => r.Headers.Range = new(100, 199)))
        {
            Assert.Equal(HttpStatusCode.PartialContent, part.StatusCode);
            Assert.Equal("bytes 100-199/1000", part.Content.Headers.ContentRange?.ToString());
            Assert.Equal(content[100..200], await part.Content.ReadAsByteArrayAsync());
        }

        using (var suffix = await _registry.Api.SendAsync(HttpMethod.Get, url, configure: r => r.Headers.Range = new(null, 10)))
        {
            Assert.Equal(content[990..], await suffix.Content.ReadAsByteArrayAsync());
        }

        using (var open = await _registry.Api.SendAsync(HttpMethod.Get, url, configure: r => r.Headers.Range = new(900, null)))
        {
            Assert.Equal(content[900..], await open.Content.ReadAsByteArrayAsync());
        }

        using var beyond = await _registry.Api.SendAsync(HttpMethod.Get, url, configure: r => r.Headers.Range = new(5000, null));
        Assert.Equal(HttpStatusCode.RequestedRangeNotSatisfiable, beyond.StatusCode);
        Assert.Equal("bytes */1000", beyond.Content.Headers.ContentRange?.ToString());
    }

    [Fact]
    public async Task Catalog_IsSortedAndPaginatedWithLink()
    {
        var data = new ConformanceData();
        foreach (string name in new[] { "c/three", "a/one", "b/two" })
        {
            await _registry.Api.PushImageAsync(name, "latest", data.Configs[0], data.Layer, data.Manifests[0]);
        }

        using var all = JsonDocument.Parse(await _registry.Client.GetStringAsync("/v2/_catalog"));
        Assert.Equal(["a/one", "b/two", "c/three"], all.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()));

        using var first = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/_catalog?n=2");
        Assert.Equal("</v2/_catalog?n=2&last=b%2Ftwo>; rel=\"next\"", RegistryApi.Header(first, "Link"));
        using var second = JsonDocument.Parse(await _registry.Client.GetStringAsync("/v2/_catalog?n=2&last=b%2Ftwo"));
        Assert.Equal(["c/three"], second.RootElement.GetProperty("repositories").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task ReferencesOfOtherRegistries_AreServedByRepositoryPath()
    {
        var data = new ConformanceData();
        var store = _registry.Store;
        foreach (var blob in new[] { data.Configs[0], data.Layer, data.Manifests[0] })
        {
            await store.WriteAsync(Descriptor.For("application/octet-stream", blob), new MemoryStream(blob), CancellationToken.None);
        }

        var root = Descriptor.For(MediaTypes.OciManifest, data.Manifests[0]);
        await store.TagAsync("docker.io/library/alpine:3.20", root, "test", CancellationToken.None);

        using (var get = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/library/alpine/manifests/3.20"))
        {
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(data.Manifests[0], await get.Content.ReadAsByteArrayAsync());
        }

        using var tags = JsonDocument.Parse(await _registry.Client.GetStringAsync("/v2/library/alpine/tags/list"));
        Assert.Equal(["3.20"], tags.RootElement.GetProperty("tags").EnumerateArray().Select(e => e.GetString()));

        // A push of the same name:tag is recorded under this registry's host and wins from then on.
        await _registry.Api.PushImageAsync("library/alpine", "3.20", data.Configs[1], data.Layer, data.Manifests[1]);
        using var after = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/library/alpine/manifests/3.20");
        Assert.Equal(data.Manifests[1], await after.Content.ReadAsByteArrayAsync());
        Assert.NotNull(await store.References.FindAsync($"{_registry.Server.RegistryHost}/library/alpine:3.20", CancellationToken.None));
        Assert.NotNull(await store.References.FindAsync("docker.io/library/alpine:3.20", CancellationToken.None));
    }

    [Fact]
    public async Task BadNamesAndPaths_GiveSpecErrors()
    {
        using (var upper = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/UPPER/case/tags/list"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, upper.StatusCode);
            Assert.Contains("NAME_INVALID", await upper.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unknown = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/no/such/repo/tags/list"))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("NAME_UNKNOWN", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var method = await _registry.Api.SendAsync(HttpMethod.Post, "/v2/some/repo/tags/list"))
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, method.StatusCode);
        }

        using var nowhere = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/some/repo/elsewhere/x");
        Assert.Equal(HttpStatusCode.NotFound, nowhere.StatusCode);
    }

    [Theory]
    [InlineData("/v2/a/blobs/sha256:..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/v2/a/blobs/sha256:0000")]
    [InlineData("/v2/a/blobs/sha512:abc")]
    [InlineData("/v2/a/blobs/md5:d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("/v2/a/manifests/sha256:ZZZ")]
    [InlineData("/v2/a/manifests/..%2F..%2Findex.json")]
    [InlineData("/v2/..%2F..%2Fetc/manifests/latest")]
    [InlineData("/v2/a/blobs/uploads/..%2F..%2Findex.json")]
    [InlineData("/v2/a/referrers/sha256:short")]
    public async Task MalformedDigestsNamesAndIds_Are4xx_AndTheServerKeepsServing(string path)
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Delete, HttpMethod.Put, HttpMethod.Patch })
        {
            using var r = await _registry.Api.SendAsync(method, path, method == HttpMethod.Put || method == HttpMethod.Patch ? [1, 2, 3] : null);
            Assert.InRange((int)r.StatusCode, 400, 499);
        }

        string longName = string.Join('/', Enumerable.Repeat("abcdefghij", 30));
        using (var tooLong = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{longName}/tags/list"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        }

        using var ping = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        var verified = await new Xpkg.Store.StoreVerifier(_registry.Store).VerifyAsync(CancellationToken.None);
        Assert.Empty(verified.Corrupt);
    }

    [Fact]
    public async Task AccessLog_IsOneJsonObjectPerRequest()
    {
        using (var ping = await _registry.Api.SendAsync(HttpMethod.Get, "/v2/"))
        {
            Assert.Equal("registry/2.0", RegistryApi.Header(ping, "Docker-Distribution-API-Version"));
        }

        // The line is written once the request has finished on the server, which can be just after the client has its answer.
        for (int i = 0; i < 50 && !_registry.AccessLog.Contains("\"path\":\"/v2/\"", StringComparison.Ordinal); i++)
        {
            await Task.Delay(20);
        }

        string line = _registry.AccessLog.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last(l => l.Contains("\"path\":\"/v2/\"", StringComparison.Ordinal));
        using var entry = JsonDocument.Parse(line);
        Assert.Equal("GET", entry.RootElement.GetProperty("method").GetString());
        Assert.Equal("/v2/", entry.RootElement.GetProperty("path").GetString());
        Assert.Equal(200, entry.RootElement.GetProperty("status").GetInt32());
    }

    private static byte[] WithAnnotationPadding(byte[] manifest, int targetSize)
    {
        string text = Encoding.UTF8.GetString(manifest);
        int cut = text.LastIndexOf('}');
        string head = text[..cut].TrimEnd() + ",\n\t\"annotations\": {\"padding\": \"";
        string tail = "\"}\n}";
        return Encoding.UTF8.GetBytes(head + new string('x', targetSize - head.Length - tail.Length) + tail);
    }
}
