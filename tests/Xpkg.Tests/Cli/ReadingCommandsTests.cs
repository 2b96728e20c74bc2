using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary>
/// <c>inspect</c> and a <c>pull</c> the cache answers only read: a cache that does not exist stays missing, and
/// an existing one gets nothing laid out. Run inside a network namespace with no interfaces (<c>unshare -n</c>).
/// </summary>
public sealed class ReadingCommandsTests : IDisposable
{
    private const string Reference = "registry.example/test/tiny:v1";
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Task<RunResult> Isolated(string cache, params string[] args)
        => Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache, .. args]);

    [Fact]
    public async Task InspectAndCachePullsOfAMissingCacheFailClearlyAndCreateNothing()
    {
        string cache = _dir.Combine("not-yet");

        var inspect = await Isolated(cache, "inspect", Reference);
        var never = await Isolated(cache, "pull", Reference, "--policy", "Never");
        var offline = await Isolated(cache, "--offline", "pull", Reference);

        Assert.Equal(1, inspect.ExitCode);
        Assert.StartsWith($"error: {Reference}: not in the cache", inspect.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: bring it in with xpkg load FILE or xpkg pull REF", inspect.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, never.ExitCode);
        Assert.StartsWith($"error: {Reference} is not in the cache and the pull policy is Never", never.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: bring it in first: xpkg load", never.Stderr, StringComparison.Ordinal);
        Assert.Equal(1, offline.ExitCode);
        Assert.Contains("the pull policy is Never (--offline)", offline.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(cache));
    }

    [Fact]
    public async Task PullsAndInspectAnsweredByTheCacheLayNothingOut()
    {
        string images = await TestImages.DirectoryAsync();
        string cache = _dir.Combine("cache");
        var loaded = await Run.XpkgAsync(cache, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", Reference);
        Assert.True(loaded.ExitCode == 0, loaded.ToString());

        // Opening the store for writing would lay these out again.
        Directory.Delete(Path.Combine(cache, "ingest"), recursive: true);
        Directory.Delete(Path.Combine(cache, "leases"), recursive: true);

        var ifNotPresent = await Isolated(cache, "pull", Reference, "-o", "json");
        var never = await Isolated(cache, "pull", Reference, "--policy", "Never", "-o", "json");
        var inspect = await Isolated(cache, "inspect", Reference, "-o", "json");

        foreach (var r in new[] { ifNotPresent, never, inspect })
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            Assert.Equal(TestImages.Tiny, (string?)JsonNode.Parse(r.Stdout)!["digest"]);
        }

        Assert.Equal("cache", (string?)JsonNode.Parse(ifNotPresent.Stdout)!["source"]);
        Assert.False(Directory.Exists(Path.Combine(cache, "ingest")));
        Assert.False(Directory.Exists(Path.Combine(cache, "leases")));
    }
}
