using System.Diagnostics;
using Xpkg.Oci;
using Xpkg.Registry.Tests.Support;

namespace Xpkg.Registry.Tests.Fake;

/// <summary>Pulls from a registry that lies, breaks or throttles.</summary>
public class PullBehaviourTests
{
    private const string Repo = "test/app";

    [Fact]
    public async Task Blob_with_wrong_content_fails_digest_verification()
    {
        var (desc, _) = TestClients.Blob(4096);
        var (_, other) = TestClients.Blob(4096, seed: 2);
        await using var server = new FakeRegistry(r => new FakeResponse { Body = other });
        using var client = new RegistryClient(TestClients.Options());
        await using var stream = await client.Repository(server.Authority, Repo).OpenAsync(desc, default);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => TestClients.ReadAllAsync(stream));
        Assert.Contains(desc.Digest.ToString(), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_by_digest_with_wrong_bytes_is_discarded()
    {
        byte[] manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();
        var asked = Digest.Compute("{}"u8);
        await using var server = new FakeRegistry(r => new FakeResponse { Body = manifest, Headers = { ["Content-Type"] = MediaTypes.OciIndex } });
        using var client = new RegistryClient(TestClients.Options());
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => client.Repository(server.Authority, Repo).GetManifestAsync(asked.ToString(), default));
        Assert.Contains("discarded", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_by_tag_whose_header_digest_disagrees_is_discarded()
    {
        byte[] manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();
        await using var server = new FakeRegistry(r => new FakeResponse
        {
            Body = manifest,
            Headers = { ["Content-Type"] = MediaTypes.OciIndex, ["Docker-Content-Digest"] = Digest.Compute("{}"u8).ToString() },
        });
        using var client = new RegistryClient(TestClients.Options());
        await Assert.ThrowsAsync<DigestMismatchException>(() => client.Repository(server.Authority, Repo).GetManifestAsync("v1", default));
    }

    [Fact]
    public async Task Truncated_blob_is_resumed_with_range_and_verified()
    {
        var (desc, data) = TestClients.Blob(300_000);
        int calls = 0;
        await using var server = new FakeRegistry(r =>
        {
            if (Interlocked.Increment(ref calls) == 1)
            {
                return new FakeResponse { Body = data, CutAfter = 100_000 };
            }

            long from = long.Parse(r.Header("Range")!["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
            return new FakeResponse { Status = 206, Body = data[(int)from..], Headers = { ["Content-Range"] = $"bytes {from}-{data.Length - 1}/{data.Length}" } };
        });
        var options = TestClients.Options();
        using var client = new RegistryClient(options);
        await using var stream = await client.Repository(server.Authority, Repo).OpenAsync(desc, default);
        Assert.Equal(data, await TestClients.ReadAllAsync(stream));
        var requests = server.Requests.ToArray();
        Assert.Equal(2, requests.Length);
        Assert.Null(requests[0].Header("Range"));
        Assert.StartsWith("bytes=", requests[1].Header("Range"), StringComparison.Ordinal);
        Assert.True(options.Log.Contains("resume", "resuming with Range"));
    }

    [Fact]
    public async Task Stalled_blob_is_resumed_after_the_idle_timeout()
    {
        var (desc, data) = TestClients.Blob(200_000);
        int calls = 0;
        await using var server = new FakeRegistry(r => Interlocked.Increment(ref calls) == 1
            ? new FakeResponse { Body = data, CutAfter = 50_000, Stall = TimeSpan.FromSeconds(8) }
            : new FakeResponse { Body = data }); // no Range support: the client skips what it has
        var options = TestClients.Options() with { IdleTimeout = TimeSpan.FromMilliseconds(800) };
        using var client = new RegistryClient(options);
        var sw = Stopwatch.StartNew();
        await using var stream = await client.Repository(server.Authority, Repo).OpenAsync(desc, default);
        Assert.Equal(data, await TestClients.ReadAllAsync(stream));
        Assert.InRange(sw.Elapsed, TimeSpan.FromMilliseconds(700), TimeSpan.FromSeconds(6));
        Assert.True(options.Log.Contains("resume", "no data for"));
    }

    [Fact]
    public async Task Too_many_requests_waits_for_retry_after()
    {
        var (desc, data) = TestClients.Blob(1000);
        int calls = 0;
        await using var server = new FakeRegistry(r => Interlocked.Increment(ref calls) == 1
            ? new FakeResponse { Status = 429, Headers = { ["Retry-After"] = "1" } }
            : new FakeResponse { Body = data });
        var options = TestClients.Options();
        using var client = new RegistryClient(options);
        var sw = Stopwatch.StartNew();
        await using var stream = await client.Repository(server.Authority, Repo).OpenAsync(desc, default);
        Assert.Equal(data, await TestClients.ReadAllAsync(stream));
        Assert.True(sw.Elapsed >= TimeSpan.FromMilliseconds(900), $"retried after {sw.Elapsed}");
        Assert.Equal(2, calls);
        Assert.True(options.Log.Contains("retry", "429"));
    }

    [Fact]
    public async Task Server_errors_are_retried_a_bounded_number_of_times()
    {
        await using var server = new FakeRegistry(r => FakeResponse.Json("""{"errors":[{"code":"UNAVAILABLE","message":"down for maintenance"}]}""", 503));
        using var client = new RegistryClient(TestClients.Options(maxAttempts: 3));
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => client.Repository(server.Authority, Repo).GetManifestAsync("v1", default));
        Assert.Equal(3, server.Requests.Count);
        Assert.Contains("503", e.Message, StringComparison.Ordinal);
        Assert.Contains("down for maintenance", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_unknown_names_the_reference_and_registry()
    {
        await using var server = new FakeRegistry(r => FakeResponse.Json("""{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}""", 404));
        using var client = new RegistryClient(TestClients.Options());
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => client.ResolveAsync(ImageReference.Parse($"{server.Authority}/{Repo}:nope"), default));
        Assert.Contains($"{server.Authority}/{Repo}:nope", e.Message, StringComparison.Ordinal);
        Assert.Contains($"registry {server.Authority}", e.Message, StringComparison.Ordinal);
        Assert.Contains("xpkg tags", e.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resolve_uses_head_with_every_manifest_type_in_accept()
    {
        byte[] manifest = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();
        var digest = Digest.Compute(manifest);
        await using var server = new FakeRegistry(r => new FakeResponse
        {
            Body = manifest,
            Headers = { ["Content-Type"] = MediaTypes.OciIndex, ["Docker-Content-Digest"] = digest.ToString() },
        });
        using var client = new RegistryClient(TestClients.Options());
        var d = await client.ResolveAsync(ImageReference.Parse($"{server.Authority}/{Repo}:v1"), default);
        Assert.Equal(digest, d.Digest);
        Assert.Equal(manifest.Length, d.Size);
        var head = Assert.Single(server.Requests);
        Assert.Equal("HEAD", head.Method);
        foreach (string type in MediaTypes.AllManifests)
        {
            Assert.Contains(type, head.Header("Accept"), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Tags_follow_link_pagination_or_continue_from_the_last_tag(bool sendLink)
    {
        string[] all = ["a", "b", "c", "d", "e"];
        await using var server = new FakeRegistry(r =>
        {
            var q = System.Web.HttpUtility.ParseQueryString(r.Query);
            int n = int.Parse(q["n"] ?? "100", System.Globalization.CultureInfo.InvariantCulture);
            string? last = q["last"];
            var page = all.Where(t => last is null || string.CompareOrdinal(t, last) > 0).Take(n).ToArray();
            var resp = FakeResponse.Json($$"""{"name":"{{Repo}}","tags":[{{string.Join(",", page.Select(t => $"\"{t}\""))}}]}""");
            if (sendLink && page.Length == n && page[^1] != all[^1])
            {
                resp.Headers["Link"] = $"</v2/{Repo}/tags/list?n={n}&last={page[^1]}>; rel=\"next\"";
            }

            return resp;
        });
        using var client = new RegistryClient(TestClients.Options());
        var tags = await client.Repository(server.Authority, Repo).ListTagsAsync(2, default);
        Assert.Equal(all, tags);
        Assert.Equal(3, server.Requests.Count); // without Link, a short page says the end
        Assert.Contains("last=d", server.Requests.Last().Query, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Referrers_use_the_api_or_fall_back_to_the_digest_tag()
    {
        var subject = Digest.Compute("subject"u8);
        var sig = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute("sig"u8), Size = 3, ArtifactType = "application/sig" };
        var sbom = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = Digest.Compute("sbom"u8), Size = 4, ArtifactType = "application/sbom" };
        string index = $$"""{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[{{Json(sig)}},{{Json(sbom)}}]}""";
        bool hasApi = true;
        await using var server = new FakeRegistry(r =>
        {
            if (r.Path.Contains("/referrers/", StringComparison.Ordinal))
            {
                return hasApi ? FakeResponse.Json(index, contentType: MediaTypes.OciIndex) : FakeResponse.Json("404 page not found", 404, "text/plain");
            }

            return r.Path.EndsWith("/manifests/" + RegistryRepository.ReferrersTag(subject), StringComparison.Ordinal)
                ? FakeResponse.Json(index, contentType: MediaTypes.OciIndex)
                : FakeResponse.Json("{}", 404);
        });
        using var client = new RegistryClient(TestClients.Options());
        var repo = client.Repository(server.Authority, Repo);
        Assert.Equal(2, (await repo.ReferrersAsync(subject, null, default)).Count);
        Assert.Equal(sig.Digest, Assert.Single(await repo.ReferrersAsync(subject, "application/sig", default)).Digest);
        hasApi = false;
        Assert.Equal(sbom.Digest, Assert.Single(await repo.ReferrersAsync(subject, "application/sbom", default)).Digest);
        Assert.Contains(server.Requests, r => r.Path.EndsWith("/manifests/sha256-" + subject.Encoded, StringComparison.Ordinal));
        Assert.Empty(await repo.ReferrersAsync(Digest.Compute("other"u8), null, default));
    }

    private static string Json(Descriptor d) => System.Text.Json.JsonSerializer.Serialize(d, OciJsonContext.Default.Descriptor);
}
