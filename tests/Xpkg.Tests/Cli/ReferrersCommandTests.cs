using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary>
/// <c>copy --referrers</c> from <c>xpkg serve</c> (which has the referrers API) to docker-registry 2.8.2 (which
/// has not: the copy writes the <c>sha256-&lt;hex&gt;</c> tag), and <c>pull --referrers</c> back from it into a cache.
/// The SBOM is an artifact manifest with a <c>subject</c>, pushed by <c>xpkg push</c> from an OCI layout; at the end
/// <c>push --referrers</c> takes it from the cache to another repository.
/// </summary>
public sealed partial class ReferrersCommandTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly DistributionRegistry _registry;

    public ReferrersCommandTests()
    {
        _registry = DistributionRegistry.Start(_dir.Combine("registry"));
    }

    public void Dispose()
    {
        _registry.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task CopyAndPullWithReferrersCarryTheSbomThroughBothReferrerSchemes()
    {
        using var serveCache = new TempDir();
        using var cache = new TempDir();
        using var serve = Run.StartXpkg(serveCache.Path, "serve", "--addr", "127.0.0.1:0");
        try
        {
            string served = await ServedAuthorityAsync(serve);
            var pushed = Json(await Run.XpkgAsync(cache.Path, "push", Repo.Fixture(Repo.XpkgFixture), $"{served}/fn/app:v1", "-o", "json"));
            string imageDigest = (string)pushed["digest"]!;
            string imageRaw = await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{served}/fn/app:v1");
            string sbomDigest = WriteSbomLayout(_dir.Combine("sbom"), imageDigest, imageRaw);
            Json(await Run.XpkgAsync(cache.Path, "push", _dir.Combine("sbom"), $"{served}/fn/app:sbom", "-o", "json"));

            var copy = await Run.XpkgAsync(cache.Path, "copy", "--referrers", $"{served}/fn/app:v1", $"{_registry.Authority}/fn/app:v1", "--explain", "-o", "json");
            Assert.Contains($"referrers API at {served}", copy.Stderr, StringComparison.Ordinal);
            var copied = Json(copy);
            Assert.Equal(imageDigest, (string?)copied["digest"]);
            Assert.Equal([sbomDigest], copied["referrers"]!.AsArray().Select(r => (string?)r));

            string fallbackTag = imageDigest.Replace(':', '-');
            var fallback = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{_registry.Authority}/fn/app:{fallbackTag}"))!;
            Assert.Equal(sbomDigest, (string?)fallback["manifests"]![0]!["digest"]);

            // Without --referrers a copy leaves them behind.
            var bare = Json(await Run.XpkgAsync(cache.Path, "copy", $"{served}/fn/app:v1", $"{_registry.Authority}/fn/bare:v1", "-o", "json"));
            Assert.Empty(bare["referrers"]!.AsArray());

            using var fresh = new TempDir();
            var pulled = await Run.XpkgAsync(fresh.Path, "pull", "--referrers", $"{_registry.Authority}/fn/app:v1", "--explain", "-o", "json");
            Assert.Equal(imageDigest, (string?)Json(pulled)["digest"]);
            Assert.Contains("no referrers API; reading the fallback tag " + fallbackTag, pulled.Stderr, StringComparison.Ordinal);
            Assert.Contains("1 referrer(s)", pulled.Stderr, StringComparison.Ordinal);

            // Cached and IfNotPresent: no connection at all (in a namespace without interfaces), so no referrers, and it says so.
            int requests = _registry.RequestCount();
            var cached = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", fresh.Path, "pull", "--referrers", $"{_registry.Authority}/fn/app:v1", "--explain", "-o", "json"]);
            Assert.Equal("cache", (string?)Json(cached)["source"]);
            Assert.Contains("explain: referrers: not fetched, the image was cached and the policy is IfNotPresent; use --policy Always to refresh them", cached.Stderr, StringComparison.Ordinal);
            Assert.Equal(requests, _registry.RequestCount());
            var images = (await Run.XpkgAsync(fresh.Path, "images", "-o", "json")).Stdout;
            Assert.Contains($"{_registry.Authority}/fn/app@{sbomDigest}", images, StringComparison.Ordinal);
            var verify = await Run.XpkgAsync(fresh.Path, "cache", "gc");
            Assert.Equal(0, verify.ExitCode);
            var inspect = await Run.XpkgAsync(fresh.Path, "inspect", $"{_registry.Authority}/fn/app@{sbomDigest}", "-o", "json");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());

            // The cache is a referrers source too: push --referrers takes the SBOM along from it.
            Json(await Run.XpkgAsync(fresh.Path, "push", "--referrers", $"{_registry.Authority}/fn/app:v1", $"{_registry.Authority}/fn/again:v1", "-o", "json"));
            var again = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{_registry.Authority}/fn/again:{fallbackTag}"))!;
            Assert.Equal(sbomDigest, (string?)again["manifests"]![0]!["digest"]);
            Assert.Equal("application/spdx+json", (string?)again["manifests"]![0]!["artifactType"]);
        }
        finally
        {
            serve.Kill();
            await serve.WaitForExitAsync();
        }
    }

    private static JsonNode Json(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!;
    }

    private static async Task<string> ServedAuthorityAsync(Process serve)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await serve.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (ServingLine().Match(line) is { Success: true } m)
            {
                return m.Groups[1].Value;
            }
        }

        throw new Xunit.Sdk.XunitException("xpkg serve did not report its address: " + await serve.StandardError.ReadToEndAsync());
    }

    /// <summary>An OCI layout holding one SBOM artifact (empty config, one blob) whose subject is the image; returns its digest.</summary>
    private static string WriteSbomLayout(string dir, string imageDigest, string imageRaw)
    {
        string blobs = Path.Combine(dir, "blobs", "sha256");
        Directory.CreateDirectory(blobs);
        string Put(byte[] bytes)
        {
            string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
            File.WriteAllBytes(Path.Combine(blobs, hex), bytes);
            return "sha256:" + hex;
        }

        byte[] empty = "{}"u8.ToArray();
        byte[] sbom = """{"spdxVersion":"SPDX-2.3"}"""u8.ToArray();
        string imageType = (string)JsonNode.Parse(imageRaw)!["mediaType"]!;
        byte[] manifest = Encoding.UTF8.GetBytes(
            "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"artifactType\":\"application/spdx+json\","
            + $"\"config\":{{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"{Put(empty)}\",\"size\":2}},"
            + $"\"layers\":[{{\"mediaType\":\"application/spdx+json\",\"digest\":\"{Put(sbom)}\",\"size\":{sbom.Length}}}],"
            + $"\"subject\":{{\"mediaType\":\"{imageType}\",\"digest\":\"{imageDigest}\",\"size\":{Encoding.UTF8.GetByteCount(imageRaw)}}}}}");
        string digest = Put(manifest);
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        File.WriteAllText(Path.Combine(dir, "index.json"),
            $"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{digest}\",\"size\":{manifest.Length},\"annotations\":{{\"org.opencontainers.image.ref.name\":\"sbom\"}}}}]}}");
        return digest;
    }

    [GeneratedRegex(@"^Serving .* at https?://(\S+)/ ")]
    private static partial Regex ServingLine();
}
