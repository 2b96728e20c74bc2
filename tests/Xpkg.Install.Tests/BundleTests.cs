using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Install.Tests;

/// <summary>
/// The air-gap round trip: <c>bundle create</c> against a real docker-registry, then on a machine that never
/// saw it (a fresh cache, a network namespace with no interfaces) <c>load</c> and <c>install --offline</c>
/// give the state directory an online install gives.
/// </summary>
public sealed class BundleTests(RegistryPackages packages) : IClassFixture<RegistryPackages>, IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task BundleLoadedIntoAFreshCacheInstallsOfflineToTheSameState()
    {
        string manifest = _dir.Write("in.yaml", packages.ParentManifests);
        string bundle = _dir.Combine("bundle.tar");

        var created = await Run.XpkgAsync(_dir.Sub("bundle-cache"), "bundle", "create", "-f", manifest, "--file", bundle, "-o", "json");
        Assert.True(created.ExitCode == 0, created.ToString());
        var json = JsonNode.Parse(created.Stdout)!;
        Assert.Equal(3, (int?)json["packages"]);
        string[] expected =
        [
            $"{packages.Repo}/configuration-parent:v1.0.0",
            $"{packages.Repo}/function-dep:v0.2.0",
            $"{packages.Repo}/provider-p:v1.0.0",
            $"{packages.Repo}/provider-runtime:v1.0.0", // the Provider's runtime, named by the DeploymentRuntimeConfig
        ];
        Assert.Equal(expected, json["images"]!.AsArray().Select(i => (string?)i!["ref"]).Order(StringComparer.Ordinal));

        string online = _dir.Combine("state-online");
        var install = await Run.XpkgAsync(_dir.Sub("online-cache"), "install", "-f", manifest, "--state-dir", online);
        Assert.True(install.ExitCode == 0, install.ToString());

        string fresh = _dir.Sub("airgap-cache");
        var loaded = await Isolated(fresh, "load", bundle, "-o", "json");
        Assert.True(loaded.ExitCode == 0, loaded.ToString());
        Assert.Equal(expected, JsonNode.Parse(loaded.Stdout)!.AsArray().Select(i => (string?)i!["ref"]).Order(StringComparer.Ordinal));
        string offline = _dir.Combine("state-offline");
        var airgapped = await Isolated(fresh, "install", "--offline", "-f", manifest, "--state-dir", offline);
        Assert.True(airgapped.ExitCode == 0, airgapped.ToString());

        var files = TestCache.FilesUnder(online);
        Assert.Equal(files, TestCache.FilesUnder(offline));
        Assert.Contains("runtime/provider.org-provider-p.yaml", files);
        foreach (string file in files.Where(f => f != "events.log"))
        {
            Assert.Equal(File.ReadAllText(Path.Combine(online, file)), File.ReadAllText(Path.Combine(offline, file)));
        }
    }

    [Fact]
    public async Task OfflineBundleOfWhatTheCacheLacksSaysHowToGetIt()
    {
        string manifest = _dir.Write("in.yaml", packages.ParentManifests);
        var r = await Isolated(_dir.Sub("empty-cache"), "bundle", "create", "-f", manifest, "--file", _dir.Combine("b.tar"), "--offline");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("not in cache and pull policy is Never", r.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(_dir.Combine("b.tar")));
    }

    private static Task<RunResult> Isolated(string cache, params string[] args)
        => Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache, .. args]);
}
