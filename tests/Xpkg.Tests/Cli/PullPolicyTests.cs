using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary>
/// pull and push against a real docker-registry; the policies that promise no network are run inside a
/// network namespace with no interfaces (<c>unshare -n</c>), where any connection attempt fails.
/// </summary>
public sealed class PullPolicyTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly DistributionRegistry _registry;

    public PullPolicyTests()
    {
        _registry = DistributionRegistry.Start(_dir.Combine("registry"));
    }

    public void Dispose()
    {
        _registry.Dispose();
        _dir.Dispose();
    }

    private static Task<RunResult> Isolated(string cache, params string[] args)
        => Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache, .. args]);

    private int RegistryRequests() => _registry.RequestCount();

    private static JsonNode Json(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!;
    }

    [Fact]
    public async Task PushThenPullKeepsTheDigestAndIfNotPresentOpensNoConnection()
    {
        using var cache = new TempDir();
        string reference = $"{_registry.Authority}/fn/conditional-pt:v0.2.0";
        var pushed = Json(await Run.XpkgAsync(cache.Path, "push", Repo.Fixture(Repo.XpkgFixture), reference, "-o", "json"));
        // A package is pushed with its config labels copied into layer annotations, as crossplane xpkg push does:
        // the digest documented for the fixture's annotated manifest.
        const string digest = "sha256:16367869e6c7c3a8b303a8187f0cb60db364ac55ab2aa2620a6a57115ddbf7f8";
        Assert.Equal(digest, (string?)pushed["digest"]);
        var skopeo = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--tls-verify=false", "docker://" + reference))!;
        Assert.Equal(digest, (string?)skopeo["Digest"]);
        // One manifest PUT, under the tag, as skopeo and crane push (no PUT by digest first).
        var manifestPuts = File.ReadAllLines(_registry.LogFile).Where(l => l.Contains("\"PUT /v2/fn/conditional-pt/manifests/", StringComparison.Ordinal)).ToList();
        Assert.Single(manifestPuts);
        Assert.Contains("/manifests/v0.2.0 ", manifestPuts[0], StringComparison.Ordinal);

        using var fresh = new TempDir();
        var pulled = Json(await Run.XpkgAsync(fresh.Path, "pull", reference, "-o", "json"));
        Assert.Equal("registry", (string?)pulled["source"]);
        Assert.Equal(digest, (string?)pulled["digest"]);

        int before = RegistryRequests();
        var again = await Isolated(fresh.Path, "pull", reference, "--explain", "-o", "json");
        Assert.Equal("cache", (string?)Json(again)["source"]);
        Assert.Contains("no network", again.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, RegistryRequests());

        // Always really asks the registry: in the empty namespace that cannot work.
        var always = await Isolated(fresh.Path, "pull", reference, "--policy", "Always");
        Assert.Equal(1, always.ExitCode);
        Assert.StartsWith("error: ", always.Stderr, StringComparison.Ordinal);

        // --offline turns Always into Never, which the cache satisfies.
        var offline = await Isolated(fresh.Path, "pull", reference, "--policy", "Always", "--offline", "-o", "json");
        Assert.Equal("cache", (string?)Json(offline)["source"]);
    }

    [Fact]
    public async Task NeverAndOfflineFailClearlyWhenTheCacheLacksTheImage()
    {
        using var cache = new TempDir();
        string reference = $"{_registry.Authority}/not/here:v1";
        var never = await Isolated(cache.Path, "pull", reference, "--policy", "Never");
        Assert.Equal(1, never.ExitCode);
        Assert.Contains("is not in the cache and the pull policy is Never", never.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: bring it in first: xpkg load", never.Stderr, StringComparison.Ordinal);

        var offline = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache.Path, "pull", reference],
            new Dictionary<string, string> { ["XPKG_OFFLINE"] = "1" });
        Assert.Equal(1, offline.ExitCode);
        Assert.Contains("(--offline)", offline.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PullsWhatSkopeoPushedWithPlatformSelection()
    {
        string images = await TestImages.DirectoryAsync();
        string reference = $"{_registry.Authority}/test/multi:latest";
        await Run.ToolAsync("skopeo", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Path.Combine(images, "oci") + ":multi", "docker://" + reference);

        using var cache = new TempDir();
        var pulled = Json(await Run.XpkgAsync(cache.Path, "pull", reference, "--platform", "linux/arm64", "-o", "json"));
        Assert.Equal(TestImages.Multi, (string?)pulled["digest"]);
        var inspect = await Run.XpkgAsync(cache.Path, "inspect", reference);
        Assert.Contains("linux/arm64/v8", inspect.Stdout, StringComparison.Ordinal);
        Assert.Contains("(not in cache)", inspect.Stdout, StringComparison.Ordinal);

        var all = Json(await Run.XpkgAsync(cache.Path, "pull", reference, "--all-platforms", "--policy", "Always", "-o", "json"));
        Assert.Equal(TestImages.Multi, (string?)all["digest"]);
        Assert.DoesNotContain("(not in cache)", (await Run.XpkgAsync(cache.Path, "inspect", reference)).Stdout, StringComparison.Ordinal);

        var tags = Json(await Run.XpkgAsync(cache.Path, "tags", reference, "-o", "json"));
        Assert.Contains("latest", tags.AsArray().Select(t => (string?)t));
    }

    [Fact]
    public async Task HostsDirFromTheEnvironmentIsUsedAndExplained()
    {
        using var cache = new TempDir();
        string pushed = (string)Json(await Run.XpkgAsync(cache.Path, "push", Repo.Fixture(Repo.XpkgFixture), $"{_registry.Authority}/fn/mirrored:v1", "-o", "json"))["digest"]!;
        using var hosts = new TempDir();
        // mirrored.test has no address at all: only the mirror the hosts directory names can answer.
        hosts.Write("mirrored.test/hosts.toml", $"server = \"https://mirrored.test\"\n[host.\"http://{_registry.Authority}\"]\n  capabilities = [\"pull\", \"resolve\"]\n");
        using var fresh = new TempDir();
        var pulled = await Run.ProcessAsync("dotnet", [Run.XpkgDll, "--cache-dir", fresh.Path, "pull", "mirrored.test/fn/mirrored:v1", "--explain", "-o", "json"],
            new Dictionary<string, string> { ["XPKG_HOSTS_DIR"] = hosts.Path });
        Assert.Equal(pushed, (string?)Json(pulled)["digest"]);
        Assert.Contains($"hosts directory: {hosts.Path} (from XPKG_HOSTS_DIR)", pulled.Stderr, StringComparison.Ordinal);
        Assert.Contains($"using {Path.Combine(hosts.Path, "mirrored.test", "hosts.toml")}", pulled.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CopyBetweenRepositoriesKeepsTheIndexDigest()
    {
        string images = await TestImages.DirectoryAsync();
        string from = $"{_registry.Authority}/test/multi:latest";
        string to = $"{_registry.Authority}/copied/multi:v1";
        await Run.ToolAsync("skopeo", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Path.Combine(images, "oci") + ":multi", "docker://" + from);
        using var cache = new TempDir();
        var copied = Json(await Run.XpkgAsync(cache.Path, "copy", from, to, "-o", "json"));
        Assert.Equal(TestImages.Multi, (string?)copied["digest"]);
        var raw = await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + to);
        Assert.Equal(TestImages.Multi, Xpkg.Oci.Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw.TrimEnd('\n'))).ToString() is var d && d == TestImages.Multi ? d : Xpkg.Oci.Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)).ToString());
    }
}
