using System.Diagnostics;
using Xpkg.Install.State;
using Xpkg.Store;
using Xpkg.Testing;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary>Concurrent installs into one state directory run one after the other.</summary>
public sealed class StateLockTests : IDisposable
{
    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task InstallWaitsWhileAnotherHoldsTheStateDirectory()
    {
        await _cache.AddPackageAsync(Host + "/org/function-a:v1.0.0", Meta("Function", "function-a"));
        string manifest = _cache.Write("a.yaml", PackageManifest("Function", "a", Host + "/org/function-a:v1.0.0"));
        Directory.CreateDirectory(_cache.StateDirectory);

        Process waiting;
        using (FileLock.TryAcquire(Path.Combine(_cache.StateDirectory, StateLock.FileName)) ?? throw new InvalidOperationException("lock not free"))
        {
            waiting = Run.StartXpkg(_cache.Store.Root, "install", "-f", manifest, "--state-dir", _cache.StateDirectory, "--offline", "--explain");
            Assert.False(waiting.WaitForExit(TimeSpan.FromSeconds(3)), "install ran while the state directory was locked");
            Assert.Empty(_cache.StateFiles());
        }

        using (waiting)
        {
            var output = waiting.StandardOutput.ReadToEndAsync();
            var error = waiting.StandardError.ReadToEndAsync();
            Assert.True(waiting.WaitForExit(TimeSpan.FromSeconds(60)), "install did not finish once the lock was released");
            Assert.True(waiting.ExitCode == 0, await error);
            Assert.Contains("state: lock: another xpkg install holds", await output + await error, StringComparison.Ordinal);
        }

        Assert.Contains("packages/function.a.yaml", _cache.StateFiles());
    }

    [Fact]
    public async Task ConcurrentInstallsDoNotInterleave()
    {
        // Two inputs whose closures differ; whichever runs last owns the whole state, with nothing of the other left.
        await _cache.AddPackageAsync(Host + "/org/function-a:v1.0.0", Meta("Function", "function-a"));
        await _cache.AddPackageAsync(Host + "/org/function-b:v1.0.0", Meta("Function", "function-b"));
        string a = _cache.Write("a.yaml", PackageManifest("Function", "a", Host + "/org/function-a:v1.0.0"));
        string b = _cache.Write("b.yaml", PackageManifest("Function", "b", Host + "/org/function-b:v1.0.0"));

        for (int round = 0; round < 3; round++)
        {
            var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(i =>
                Run.XpkgAsync(_cache.Store.Root, "install", "-f", i % 2 == 0 ? a : b, "--state-dir", _cache.StateDirectory, "--offline")));
            Assert.All(runs, r => Assert.True(r.ExitCode == 0, r.ToString()));
            var files = _cache.StateFiles();
            bool isA = files.Contains("packages/function.a.yaml");
            string only = isA ? "a" : "b";
            Assert.Equal(
                new[] { "events.log", "lock.yaml", $"packages/function.{only}.yaml", $"revisions/functionrevision.{only}-", $"runtime/function.{only}.yaml" },
                files.Select(f => f.StartsWith("revisions/", StringComparison.Ordinal) ? f[..f.LastIndexOf('-')] + "-" : f));
            Assert.Contains($"Function/{only}: resolve: ", _cache.State("events.log"));
        }
    }
}
