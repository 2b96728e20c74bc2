using System.Security.Cryptography;
using System.Text;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Registry;
using Xpkg.Testing;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary>
/// <c>xpkg install</c> against a real docker-registry: versions chosen as Crossplane chooses them, ImageConfig
/// rewrites to the local registry, Never and --offline in a network namespace with no interfaces, and
/// re-runs that change no file and send no request.
/// </summary>
public sealed class RegistryInstallTests(RegistryPackages packages) : IClassFixture<RegistryPackages>, IDisposable
{
    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Theory]
    [InlineData(">=v0.1.0", "v0.2.0", "v0.2.0")] // v1 is incomplete, v1.0.0-rc.1 a prerelease: neither counts
    [InlineData(">=v1.0.0-0", "v1.0.0-rc.1", "v1.0.0-rc.1")] // naming a prerelease admits prereleases; v1 still does not count
    [InlineData("^0.1.0", "v0.2.0", "v0.1.0")] // caret on 0.x: Masterminds v1.5 keeps the major, v3 the minor
    [InlineData("~v0.1", "v0.1.0", "v0.1.0")]
    [InlineData("v0.1.0 - v0.2.0 || >=v2", "v0.2.0", "v0.2.0")]
    public async Task ResolutionAgainstTheRegistryPicksWhatCrossplaneWould(string constraint, string crossplane21, string crossplane23)
    {
        string parent = $"{packages.Repo}/parent-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(constraint)))[..10]}:v1.0.0";
        packages.Push(parent, Meta("Configuration", "parent", Dep("Function", $"{packages.Repo}/function-dep", constraint)));

        foreach (var (crossplane, expected) in new[] { ("2.1.0", crossplane21), ("2.3.0", crossplane23) })
        {
            using var cache = new TestCache();
            var log = new InstallLog();
            var result = await InstallAsync(cache, PackageManifest("Configuration", "parent", parent), crossplane, log);
            var dependency = result.Packages.Single(p => !p.IsRoot);
            Assert.Equal(expected, dependency.Version);
            Assert.Equal(ImageOrigin.Registry, dependency.Image.Origin);
            Assert.Contains(log.Events, e => e.Step == "dependency" && e.Message.Contains("in the cache and the registry (v0.1.0, v0.2.0, v1.0.0-rc.1)", StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task ImageConfigRewritesANameThatDoesNotResolveToTheLocalRegistry()
    {
        const string Nowhere = "xpkg.example.invalid/org";
        packages.Push($"{packages.Repo}/configuration-mirrored:v1.0.0", Meta("Configuration", "mirrored", Dep("Function", Nowhere + "/function-dep", ">=v0.1.0")));
        string manifests = PackageManifest("Configuration", "mirrored", Nowhere + "/configuration-mirrored:v1.0.0") + $$"""
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata: {name: local}
            spec:
              matchImages: [{prefix: {{Nowhere}} }]
              rewriteImage: {prefix: {{packages.Repo}} }

            """;

        var result = await InstallAsync(_cache, manifests);

        Assert.Equal($"{packages.Repo}/configuration-mirrored:v1.0.0", result.Packages[0].ResolvedPackage);
        Assert.Equal($"{packages.Repo}/function-dep:v0.2.0", result.Packages[1].ResolvedPackage);
        Assert.All(result.Packages, p => Assert.Equal(ImageOrigin.Registry, p.Image.Origin));
        string lockFile = _cache.State("lock.yaml");
        Assert.Contains($"source: {Nowhere}/configuration-mirrored\n", lockFile);
        Assert.Contains($"source: {Nowhere}/function-dep\n", lockFile);
        Assert.Contains($"resolvedPackage: {packages.Repo}/function-dep:v0.2.0\n", _cache.State("packages/function.org-function-dep.yaml"));
    }

    [Fact]
    public async Task ReRunChangesNoFileAndSendsNoRequest()
    {
        string manifest = _cache.Write("in.yaml", packages.ParentManifests);
        var first = await Run.XpkgAsync(_cache.Store.Root, "install", "-f", manifest, "--state-dir", _cache.StateDirectory);
        Assert.True(first.ExitCode == 0, first.ToString());
        var before = Snapshot(_cache.StateDirectory);
        int requests = packages.Registry.RequestCount();

        var second = await Run.XpkgAsync(_cache.Store.Root, "install", "-f", manifest, "--state-dir", _cache.StateDirectory, "--explain");

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("is up to date", second.Stderr, StringComparison.Ordinal);
        Assert.Equal(requests, packages.Registry.RequestCount());
        Assert.Equal(before, Snapshot(_cache.StateDirectory));
    }

    [Fact]
    public async Task NeverAndOfflineOpenNoConnectionInANamespaceWithoutInterfaces()
    {
        string fn = $"{packages.Repo}/function-dep:v0.1.0";
        var warm = await Run.XpkgAsync(_cache.Store.Root, "pull", fn);
        Assert.True(warm.ExitCode == 0, warm.ToString());
        string never = _cache.Write("never.yaml", PackageManifest("Function", "fn", fn, "  packagePullPolicy: Never\n"));
        string ifNotPresent = _cache.Write("ifnotpresent.yaml", PackageManifest("Function", "fn", fn));
        string missing = _cache.Write("missing.yaml", PackageManifest("Function", "fn", $"{packages.Repo}/function-dep:v0.2.0"));

        var byNever = await Isolated("install", "-f", never, "--state-dir", _cache.StateDirectory, "-o", "json");
        Assert.True(byNever.ExitCode == 0, byNever.ToString());
        Assert.Contains("\"source\":\"cache\"", byNever.Stdout.Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);

        var offline = await Isolated("install", "-f", ifNotPresent, "--state-dir", _cache.StateDirectory, "--offline", "--explain");
        Assert.True(offline.ExitCode == 0, offline.ToString());
        Assert.Contains("Function/fn: policy: IfNotPresent becomes Never (--offline)", offline.Stdout + offline.Stderr, StringComparison.Ordinal);

        var miss = await Isolated("install", "-f", missing, "--state-dir", _cache.StateDirectory, "--offline");
        Assert.Equal(1, miss.ExitCode);
        Assert.Contains("not in cache and pull policy is Never", miss.Stderr, StringComparison.Ordinal);
        Assert.True(miss.Stderr.Contains("hint: bring it into the cache with xpkg load FILE", StringComparison.Ordinal), miss.ToString());

        // Without --offline a miss really tries the network, which the empty namespace refuses.
        var online = await Isolated("install", "-f", missing, "--state-dir", _cache.StateDirectory);
        Assert.Equal(1, online.ExitCode);
    }

    private Task<RunResult> Isolated(params string[] args)
        => Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", _cache.Store.Root, .. args]);

    /// <summary>Every state file with its bytes and modification time; the events of the last run are not state.</summary>
    internal static Dictionary<string, (string, DateTime)> Snapshot(string stateDirectory)
        => TestCache.FilesUnder(stateDirectory).Where(f => f != "events.log")
            .ToDictionary(f => f, f => (File.ReadAllText(Path.Combine(stateDirectory, f)), File.GetLastWriteTimeUtc(Path.Combine(stateDirectory, f))));

    private static async Task<InstallResult> InstallAsync(TestCache cache, string manifests, string crossplane = InstallOptions.DefaultCrossplaneVersion, InstallLog? log = null)
    {
        var input = await ManifestReader.ParseAsync(manifests, "in.yaml", CancellationToken.None);
        using var source = new RegistryPackageSource(cache.Store, () => new RegistryClient(new RegistryClientOptions()));
        var installer = new PackageInstaller(cache.Store, source, new InstallOptions { CrossplaneVersion = crossplane });
        return await installer.InstallAsync(input, cache.StateDirectory, log ?? new InstallLog(), CancellationToken.None);
    }
}
