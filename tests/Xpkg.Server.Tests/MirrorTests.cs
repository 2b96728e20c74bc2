using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>
/// <c>xpkg serve --mirror</c> in front of Debian's docker-registry, pulled through by skopeo, xpkg and a private
/// containerd, by <c>ns</c> and by path prefix.
/// </summary>
public sealed class MirrorTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PathPrefixAndNs_ServeSkopeoAndXpkgPull_AndTheCacheNamesWhatItFetched()
    {
        using var upstream = await StartUpstreamAsync("test/tiny:v1", "tiny");

        // The path prefix names the upstream host; skopeo cannot parse a port there, so a hosts.toml maps a dotted name.
        string hosts = _dir.Write("mirror-hosts/upstream.test/hosts.toml", $"server = \"http://{upstream.Authority}\"\n");
        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("mirror-cache"), ["--mirror", "--hosts-dir", Path.GetDirectoryName(Path.GetDirectoryName(hosts))!]);

        string inspected = await Run.ToolAsync("skopeo", "inspect", "--tls-verify=false", $"docker://{mirror.Authority}/upstream.test/test/tiny:v1");
        Assert.Contains(TestImages.Tiny, inspected, StringComparison.Ordinal);
        await Run.ToolAsync("skopeo", "copy", "--src-tls-verify=false", $"docker://{mirror.Authority}/upstream.test/test/tiny:v1", $"oci:{_dir.Combine("copied")}:tiny");

        var byPrefix = await Run.XpkgAsync(_dir.Combine("client-1"), "pull", $"{mirror.Authority}/upstream.test/test/tiny:v1");
        Assert.True(byPrefix.ExitCode == 0, byPrefix.ToString());
        Assert.Contains(TestImages.Tiny, byPrefix.Stdout, StringComparison.Ordinal);

        // By ns: the client's hosts.toml makes the mirror a mirror of the upstream, and xpkg's client sends ?ns=.
        string clientHosts = _dir.Write($"client-hosts/{upstream.Authority}/hosts.toml",
            $"server = \"http://{upstream.Authority}\"\n[host.\"http://{mirror.Authority}\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        var byNs = await Run.XpkgAsync(_dir.Combine("client-2"), "pull", $"{upstream.Authority}/test/tiny:v1", "--hosts-dir", Path.GetDirectoryName(Path.GetDirectoryName(clientHosts))!, "--explain");
        Assert.True(byNs.ExitCode == 0, byNs.ToString());
        Assert.Contains(TestImages.Tiny, byNs.Stdout, StringComparison.Ordinal);
        Assert.Contains($"answered by http://{mirror.Authority}/v2 (mirror)", byNs.Stderr, StringComparison.Ordinal);

        var images = await Run.XpkgAsync(_dir.Combine("mirror-cache"), "images");
        Assert.Contains("upstream.test/test/tiny:v1", images.Stdout, StringComparison.Ordinal);
        Assert.Contains($"{upstream.Authority}/test/tiny:v1", images.Stdout, StringComparison.Ordinal);
        Assert.Contains("mirror: miss upstream.test/test/tiny:v1 " + TestImages.Tiny, mirror.Stderr, StringComparison.Ordinal);
        Assert.Matches(NsQuery("manifests/v1", upstream), mirror.Stderr);
        Assert.Matches(new Regex("mirror: hit .*@sha256:"), mirror.Stderr);
        await AssertCacheVerifiesAsync(_dir.Combine("mirror-cache"));
    }

    [Fact]
    public async Task PrivateContainerd_PullsThroughTheMirrorByNs()
    {
        using var upstream = await StartUpstreamAsync("test/tiny:v1", "tiny");
        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("mirror-cache"), ["--mirror"]);
        await using var containerd = await Containerd.StartAsync();
        _dir.Write($"ctr-hosts/{upstream.Authority}/hosts.toml",
            $"server = \"http://{upstream.Authority}\"\n[host.\"http://{mirror.Authority}\"]\n  capabilities = [\"pull\", \"resolve\"]\n");

        var pull = await containerd.CtrAsync("images", "pull", "--hosts-dir", _dir.Combine("ctr-hosts"), $"{upstream.Authority}/test/tiny:v1");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains(TestImages.Tiny, (await containerd.CtrAsync("images", "ls")).Stdout, StringComparison.Ordinal);
        Assert.Matches(NsQuery("/v2/test/tiny/manifests/v1", upstream), mirror.Stderr);
        Assert.Contains($"mirror: miss {upstream.Authority}/test/tiny:v1 {TestImages.Tiny}", mirror.Stderr, StringComparison.Ordinal);
        string upstreamLog = File.ReadAllText(upstream.LogFile);
        Assert.Contains("xpkg/", upstreamLog, StringComparison.Ordinal);
        Assert.DoesNotContain("containerd/", upstreamLog, StringComparison.Ordinal);
        await AssertCacheVerifiesAsync(_dir.Combine("mirror-cache"));
    }

    [Fact]
    public async Task DigestsAndStaleTags_ServedWhenUpstreamStops_TagRevalidatedAfterTtl()
    {
        var upstream = await StartUpstreamAsync("test/app:v1", "tiny");
        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("mirror-cache"), ["--mirror", "--mirror-ttl", "2s"]);
        using var http = new HttpClient { BaseAddress = new Uri(mirror.Address) };
        string ns = "?ns=" + upstream.Authority;
        try
        {
            Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "test/app", "v1", ns));
            await PullBlobsAsync(http, "test/app", TestImages.Tiny, ns);

            // The tag moves upstream: within the TTL the cache answers; after it, the mirror sees the move.
            await PushAsync(upstream, "test/app:v1", "two-layer");
            Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "test/app", "v1", ns));
            await Task.Delay(TimeSpan.FromSeconds(2.5));
            Assert.Equal(TestImages.TwoLayer, await ManifestDigestAsync(http, "test/app", "v1", ns));
            Assert.Contains($"mirror: revalidated {upstream.Authority}/test/app:v1 {TestImages.TwoLayer}", mirror.Stderr, StringComparison.Ordinal);
            await PullBlobsAsync(http, "test/app", TestImages.TwoLayer, ns);
        }
        finally
        {
            upstream.Dispose();
        }

        // Upstream gone: digests never go upstream, and the tag is served stale after its TTL.
        Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "test/app", TestImages.Tiny, ns));
        await PullBlobsAsync(http, "test/app", TestImages.Tiny, ns);
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        Assert.Equal(TestImages.TwoLayer, await ManifestDigestAsync(http, "test/app", "v1", ns));
        Assert.Contains($"mirror: stale-served {upstream.Authority}/test/app:v1 {TestImages.TwoLayer}", mirror.Stderr, StringComparison.Ordinal);
        await AssertCacheVerifiesAsync(_dir.Combine("mirror-cache"));
    }

    [Fact]
    public async Task AFailedTagCheck_IsRememberedForTheBackoff_StaleServedLoggedOnce()
    {
        var upstream = await StartUpstreamAsync("test/app:v1", "tiny");
        string what = $"{upstream.Authority}/test/app:v1";
        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("mirror-cache"), ["--mirror", "--mirror-ttl", "3s", "--log-format", "json"]);
        using var http = new HttpClient { BaseAddress = new Uri(mirror.Address) };
        string ns = "?ns=" + upstream.Authority;
        Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "test/app", "v1", ns));
        upstream.Dispose();
        await Task.Delay(TimeSpan.FromSeconds(3.5));

        const int requests = 12;
        for (int i = 0; i < requests; i++)
        {
            Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "test/app", "v1", ns));
        }

        // One decision per request. Each stale-served is a check upstream; with a back-off of min(TTL, 30 s) = 3 s,
        // checks are at least 3 s apart by the server's own clock, and the requests between them are answered at once.
        // (The server logs each decision before it answers; the test reads its standard error a moment later.)
        var decisions = MirrorDecisions(mirror.Stderr, what).Skip(1).ToList();
        for (int wait = 0; decisions.Count < requests && wait < 100; wait++)
        {
            await Task.Delay(50);
            decisions = MirrorDecisions(mirror.Stderr, what).Skip(1).ToList();
        }

        Assert.Equal(requests, decisions.Count);
        var checks = decisions.Where(d => d.Decision == "stale-served").ToList();
        Assert.NotEmpty(checks);
        Assert.Equal("stale-served", decisions[0].Decision);
        Assert.EndsWith("; next check in 3s", checks[0].Detail, StringComparison.Ordinal);
        foreach (var (earlier, later) in checks.Zip(checks.Skip(1)))
        {
            Assert.True(later.Time - earlier.Time >= TimeSpan.FromSeconds(2.99), $"checks at {earlier.Time:O} and {later.Time:O}");
        }

        var answeredAtOnce = decisions.Where(d => d.Decision == "hit").ToList();
        Assert.Equal(requests - checks.Count, answeredAtOnce.Count);
        Assert.All(answeredAtOnce, d => Assert.Matches(@"^stale: the upstream check failed [\d.]+m?s ago; next check in [\d.]+m?s$", d.Detail));
        Assert.True(checks.Count < requests, $"{checks.Count} checks for {requests} requests");
        await AssertCacheVerifiesAsync(_dir.Combine("mirror-cache"));
    }

    [Fact]
    public async Task ConcurrentMisses_FetchABlobOnce_AndEveryClientGetsItWhole()
    {
        using var upstream = DistributionRegistry.Start(_dir.Combine("upstream"));
        byte[] blob = RandomNumberGenerator.GetBytes(24 << 20);
        var digest = Digest.Compute(blob);
        using (var direct = new HttpClient { BaseAddress = new Uri($"http://{upstream.Authority}/") })
        {
            using var start = await direct.PostAsync("/v2/test/big/blobs/uploads/", null);
            var location = new Uri(direct.BaseAddress!, start.Headers.Location!);
            using var put = await direct.PutAsync(location + (location.Query.Length > 0 ? "&" : "?") + "digest=" + digest, new ByteArrayContent(blob));
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("mirror-cache"), ["--mirror"]);
        using var http = new HttpClient { BaseAddress = new Uri(mirror.Address) };
        var results = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            using var response = await http.GetAsync($"/v2/test/big/blobs/{digest}?ns={upstream.Authority}", HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync();
            return Digest.FromHash(Digest.Sha256, await SHA256.HashDataAsync(body));
        }));

        Assert.All(results, d => Assert.Equal(digest, d));
        string log = File.ReadAllText(upstream.LogFile);
        Assert.Single(Regex.Matches(log, $"\"GET /v2/test/big/blobs/{Regex.Escape(digest.ToString())}"));
        Assert.True(File.Exists(Path.Combine(_dir.Combine("mirror-cache"), "blobs", "sha256", digest.Encoded)));
        await AssertCacheVerifiesAsync(_dir.Combine("mirror-cache"));
    }

    [Fact]
    public async Task ProtectedUpstream_CredentialsComeFromDockerConfig_AndUpstreamNamesRefusePushes()
    {
        string htpasswd = _dir.Write("htpasswd", await Run.ToolAsync("htpasswd", "-Bbn", "mirror-user", "s3cret-word"));
        using var upstream = DistributionRegistry.Start(_dir.Combine("upstream"), htpasswd: htpasswd);
        string images = await TestImages.DirectoryAsync();
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", "mirror-user:s3cret-word",
            $"oci:{Path.Combine(images, "oci")}:tiny", $"docker://{upstream.Authority}/private/tiny:v1");
        string auth = Convert.ToBase64String("mirror-user:s3cret-word"u8.ToArray());
        _dir.Write("docker/config.json", $"{{\"auths\":{{\"{upstream.Authority}\":{{\"auth\":\"{auth}\"}}}}}}");

        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("mirror-cache"), ["--mirror"], new Dictionary<string, string> { ["DOCKER_CONFIG"] = _dir.Combine("docker") });
        using var http = new HttpClient { BaseAddress = new Uri(mirror.Address) };
        Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "private/tiny", "v1", "?ns=" + upstream.Authority));
        await PullBlobsAsync(http, "private/tiny", TestImages.Tiny, "?ns=" + upstream.Authority);

        using var push = await http.PutAsync($"/v2/private/tiny/manifests/v2?ns={upstream.Authority}", new ByteArrayContent("{}"u8.ToArray()));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, push.StatusCode);
        Assert.Contains("UNSUPPORTED", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{Path.Combine(images, "oci")}:tiny", $"docker://{mirror.Authority}/local/tiny:v1");
        Assert.Equal(TestImages.Tiny, await ManifestDigestAsync(http, "local/tiny", "v1", ""));

        Assert.DoesNotContain("s3cret-word", mirror.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(auth, mirror.Stderr, StringComparison.Ordinal);
    }

    /// <summary>The mirror's decisions about one reference, from the JSON log, in order.</summary>
    private static IEnumerable<(DateTimeOffset Time, string Decision, string? Detail)> MirrorDecisions(string log, string reference)
        => log.Split('\n').Where(l => l.StartsWith('{')).Select(l => JsonNode.Parse(l)!)
            .Where(j => j["mirror"] is not null && (string?)j["reference"] == reference)
            .Select(j => (DateTimeOffset.Parse((string)j["time"]!, CultureInfo.InvariantCulture), (string)j["mirror"]!, (string?)j["detail"]));

    /// <summary>A request with <c>ns</c> naming the upstream in the access log (the colon may come percent-encoded).</summary>
    private static Regex NsQuery(string path, DistributionRegistry upstream)
        => new(Regex.Escape(path) + @"\?ns=127\.0\.0\.1(:|%3A)" + upstream.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private async Task<DistributionRegistry> StartUpstreamAsync(string reference, string tag)
    {
        var upstream = DistributionRegistry.Start(_dir.Combine("upstream"));
        await PushAsync(upstream, reference, tag);
        return upstream;
    }

    private static async Task PushAsync(DistributionRegistry upstream, string reference, string layoutTag)
    {
        string images = await TestImages.DirectoryAsync();
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{Path.Combine(images, "oci")}:{layoutTag}", $"docker://{upstream.Authority}/{reference}");
    }

    private static async Task<string> ManifestDigestAsync(HttpClient http, string name, string reference, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{name}/manifests/{reference}{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciManifest));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(MediaTypes.OciIndex));
        using var response = await http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{request.RequestUri}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var digest = Digest.Compute(await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(digest.ToString(), response.Headers.GetValues("Docker-Content-Digest").Single());
        return digest.ToString();
    }

    /// <summary>GETs every blob the manifest names and checks each digest.</summary>
    private static async Task PullBlobsAsync(HttpClient http, string name, string manifestDigest, string query)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v2/{name}/manifests/{manifestDigest}{query}");
        using var response = await http.SendAsync(request);
        var manifest = ParsedManifest.Parse(await response.Content.ReadAsByteArrayAsync());
        foreach (var child in manifest.Children)
        {
            byte[] bytes = await http.GetByteArrayAsync($"/v2/{name}/blobs/{child.Digest}{query}");
            Assert.Equal(child.Digest, Digest.Compute(bytes));
        }
    }

    private static async Task AssertCacheVerifiesAsync(string cache)
    {
        var verify = await Run.XpkgAsync(cache, "cache", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
