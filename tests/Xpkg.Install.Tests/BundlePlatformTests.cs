using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Testing;

namespace Xpkg.Install.Tests;

/// <summary>
/// <c>bundle create</c> of a multi-platform package the cache holds only partly (<c>pull</c> keeps linux/amd64):
/// as cached with a note, or completed from the real docker-registry with <c>--all-platforms</c> / <c>--platform</c>,
/// and never from the network with <c>--offline</c>.
/// </summary>
public sealed class BundlePlatformTests(RegistryPackages packages) : IClassFixture<RegistryPackages>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task PartialIndexIsBundledAsCachedWithANoteNamingWhatItLacks()
    {
        string cache = await SparseCacheAsync();
        var r = await Run.XpkgAsync(cache, "bundle", "create", "-f", Manifest(), "--file", _dir.Combine("b.tar"), "-o", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains($"note: {packages.MultiPlatform} is a multi-platform image; the bundle holds linux/amd64 of it, not linux/arm64, linux/arm/v7", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--all-platforms", r.Stderr, StringComparison.Ordinal);
        var partial = JsonNode.Parse(r.Stdout)!["partial"]!.AsArray().Single()!;
        Assert.Equal(["linux/arm64", "linux/arm/v7"], partial["missing"]!.AsArray().Select(n => (string?)n));

        Assert.Equal(["linux/amd64"], await CompletePlatformsAfterLoadAsync(_dir.Combine("b.tar")));
    }

    [Fact]
    public async Task AllPlatformsFetchesWhatTheCacheLacksAndTheLoadedBundleIsComplete()
    {
        string cache = await SparseCacheAsync();
        string bundle = _dir.Combine("all.tar");
        var r = await Run.XpkgAsync(cache, "bundle", "create", "-f", Manifest(), "--file", bundle, "--all-platforms");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.DoesNotContain("multi-platform", r.Stderr, StringComparison.Ordinal);

        Assert.Equal(["linux/amd64", "linux/arm64", "linux/arm/v7"], await CompletePlatformsAfterLoadAsync(bundle));
    }

    [Fact]
    public async Task PlatformBundlesThatPlatformAndTheManifestInstallReadsNoOther()
    {
        string cache = await SparseCacheAsync();
        string bundle = _dir.Combine("arm64.tar");
        var r = await Run.XpkgAsync(cache, "bundle", "create", "-f", Manifest(), "--file", bundle, "--platform", "linux/arm64");
        Assert.True(r.ExitCode == 0, r.ToString());

        // linux/amd64 stays: install reads package.yaml from it, as Crossplane does.
        Assert.Equal(["linux/amd64", "linux/arm64"], await CompletePlatformsAfterLoadAsync(bundle));
        var installed = await Run.XpkgAsync(_dir.Combine("fresh-arm64"), "install", "--offline", "-f", Manifest(), "--state-dir", _dir.Combine("state"));
        Assert.True(installed.ExitCode == 0, installed.ToString());
    }

    [Fact]
    public async Task OfflineAllPlatformsWithAPartialCacheFailsNamingTheMissingPlatformsAndWritesNothing()
    {
        string cache = await SparseCacheAsync();
        string output = _dir.Sub("out");
        var r = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache,
            "bundle", "create", "-f", Manifest(), "--file", Path.Combine(output, "b.tar"), "--offline", "--all-platforms"]);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains($"error: {packages.MultiPlatform}", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("linux/arm64, linux/arm/v7 manifests the cache lacks, and --offline opens no connection", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(output));
    }

    [Fact]
    public async Task PlatformAndAllPlatformsTogetherAreBadInput()
    {
        var r = await Run.XpkgAsync(_dir.Sub("cache"), "bundle", "create", "-f", Manifest(), "--file", _dir.Combine("b.tar"), "--platform", "linux/arm64", "--all-platforms");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("error: --platform and --all-platforms", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("b.tar")));
    }

    private string Manifest() => _dir.Write("in.yaml", Packages.PackageManifest("Function", "function-multi", packages.MultiPlatform));

    /// <summary>A cache that holds the package's index and only its linux/amd64 manifest (pull's default).</summary>
    private async Task<string> SparseCacheAsync()
    {
        string cache = _dir.Sub("cache");
        var pulled = await Run.XpkgAsync(cache, "pull", packages.MultiPlatform);
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        return cache;
    }

    /// <summary>Loads the bundle into a fresh cache, checks it with cache verify, and lists the platforms whose manifests are complete there.</summary>
    private async Task<List<string>> CompletePlatformsAfterLoadAsync(string bundle)
    {
        string fresh = _dir.Sub("fresh-" + Path.GetFileNameWithoutExtension(bundle));
        var loaded = await Run.XpkgAsync(fresh, "load", bundle);
        Assert.True(loaded.ExitCode == 0, loaded.ToString());
        var verified = await Run.XpkgAsync(fresh, "cache", "verify");
        Assert.True(verified.ExitCode == 0, verified.ToString());

        var store = ContentStore.Open(fresh);
        var entry = (await store.References.ReadAsync(CancellationToken.None)).Single(e => e.Reference == packages.MultiPlatform);
        var index = ParsedManifest.Parse(await store.ReadSmallBlobAsync(entry.Root, CancellationToken.None), entry.Root.MediaType);
        Assert.Equal(RegistryPackages.MultiPlatforms.Length, index.Manifests.Count);
        var complete = new List<string>();
        foreach (var manifest in index.Manifests)
        {
            if (await store.IsCompleteAsync(manifest, CancellationToken.None))
            {
                complete.Add(manifest.Platform!.ToString());
            }
        }

        return complete;
    }
}
