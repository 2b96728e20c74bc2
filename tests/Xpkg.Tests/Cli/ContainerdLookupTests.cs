using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary>What <c>ctr images import</c> (or <c>kind load</c>) put on a node is used by pull, offline, with no registry.</summary>
public class ContainerdLookupTests
{
    [Fact]
    public async Task OfflinePullFindsWhatCtrImported()
    {
        await using var containerd = await Containerd.StartAsync();
        var import = await containerd.CtrAsync("images", "import", "--no-unpack", "--all-platforms", "--index-name", "example.com/fn/cpt:v1", Repo.Fixture(Repo.XpkgFixture));
        Assert.True(import.ExitCode == 0, import.ToString());
        var listed = await containerd.CtrAsync("images", "ls", "-q");
        string name = listed.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).First(l => l.Contains("example.com/fn/cpt", StringComparison.Ordinal));

        using var cache = new TempDir();
        var pulled = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache.Path, "--offline",
            "--containerd-socket", containerd.Socket, "--containerd-namespace", "xpkg-test", "pull", name, "--explain", "-o", "json"]);
        Assert.True(pulled.ExitCode == 0, pulled.ToString());
        var json = JsonNode.Parse(pulled.Stdout)!;
        Assert.Equal("containerd", (string?)json["source"]);
        Assert.Contains("explain: containerd:", pulled.Stderr, StringComparison.Ordinal);

        // Now in the cache: the next pull needs neither containerd nor the network.
        var again = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache.Path, "--offline", "pull", name, "-o", "json"]);
        Assert.Equal("cache", (string?)JsonNode.Parse(again.Stdout)!["source"]);
        var verify = await Run.XpkgAsync(cache.Path, "cache", "verify");
        Assert.Equal(0, verify.ExitCode);
    }

    [Fact]
    public async Task OfflineInspectFindsWhatCtrImportedAndSaysWhoAnswered()
    {
        await using var containerd = await Containerd.StartAsync();
        var import = await containerd.CtrAsync("images", "import", "--no-unpack", "--all-platforms", "--index-name", "example.com/fn/cpt:v1", Repo.Fixture(Repo.XpkgFixture));
        Assert.True(import.ExitCode == 0, import.ToString());
        string[] listed = (await containerd.CtrAsync("images", "ls")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .First(l => l.Contains("example.com/fn/cpt", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        string name = listed[0];
        string digest = listed[2];

        using var cache = new TempDir();
        var inspected = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache.Path, "--offline",
            "--containerd-socket", containerd.Socket, "--containerd-namespace", "xpkg-test", "inspect", name, "--explain", "-o", "json"]);
        Assert.True(inspected.ExitCode == 0, inspected.ToString());
        var json = JsonNode.Parse(inspected.Stdout)!;
        Assert.Equal(digest, (string?)json["digest"]);
        Assert.NotNull(json["manifest"]);
        Assert.Contains("explain: lookup: " + name + " is not in the cache; asking containerd", inspected.Stderr, StringComparison.Ordinal);
        Assert.Contains("explain: containerd: ", inspected.Stderr, StringComparison.Ordinal);
        Assert.Contains("holds " + name + " as " + digest, inspected.Stderr, StringComparison.Ordinal);

        // Copied into the cache, verified: the next inspect is answered there, with containerd not even configured.
        var again = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", cache.Path, "--offline", "inspect", name, "--explain", "-o", "json"]);
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Equal(digest, (string?)JsonNode.Parse(again.Stdout)!["digest"]);
        Assert.Contains("explain: lookup: the cache holds " + name, again.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await Run.XpkgAsync(cache.Path, "cache", "verify")).ExitCode);

        // Neither has it: exit 1, saying both were asked.
        var missing = await Run.XpkgAsync(cache.Path, "--offline", "--containerd-socket", containerd.Socket, "--containerd-namespace", "xpkg-test", "inspect", "example.com/fn/absent:v9");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("error: example.com/fn/absent:v9: not in the cache (", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains(") nor in containerd", missing.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", missing.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PushIntoContainerdNamesTheImageForTheKubelet()
    {
        await using var containerd = await Containerd.StartAsync();
        using var cache = new TempDir();
        Assert.Equal(0, (await Run.XpkgAsync(cache.Path, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", "example.com/fn/cpt:v1")).ExitCode);
        var pushed = await Run.XpkgAsync(cache.Path, "--containerd-socket", containerd.Socket, "--containerd-namespace", "xpkg-test", "push", "example.com/fn/cpt:v1", "containerd://fn-cpt:v1");
        Assert.True(pushed.ExitCode == 0, pushed.ToString());
        var listed = await containerd.CtrAsync("images", "ls");
        Assert.Contains("docker.io/library/fn-cpt:v1", listed.Stdout, StringComparison.Ordinal);
        Assert.Contains("sha256:9b3ddecdb8ffacdbaa1e552f6fb2fc9e5b48943e3e4dd1afb5b212b25abd721d", listed.Stdout, StringComparison.Ordinal);
        var check = await containerd.CtrAsync("images", "check");
        Assert.Contains("complete", check.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OfflineInstallResolvesAPackageFromContainerd()
    {
        await using var containerd = await Containerd.StartAsync();
        var import = await containerd.CtrAsync("images", "import", "--no-unpack", "--all-platforms", "--index-name", "example.com/fn/cpt:v1", Repo.Fixture(Repo.XpkgFixture));
        Assert.True(import.ExitCode == 0, import.ToString());
        string name = (await containerd.CtrAsync("images", "ls", "-q")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).First(l => l.Contains("example.com/fn/cpt", StringComparison.Ordinal));

        using var work = new TempDir();
        string manifest = work.Write("function.yaml", $"""
            apiVersion: pkg.crossplane.io/v1
            kind: Function
            metadata:
              name: function-cpt
            spec:
              package: {name}
              packagePullPolicy: IfNotPresent
            """);
        var installed = await Run.ProcessAsync("unshare", ["-n", "dotnet", Run.XpkgDll, "--cache-dir", work.Combine("cache"), "--offline",
            "--containerd-socket", containerd.Socket, "--containerd-namespace", "xpkg-test",
            "install", "-f", manifest, "--state-dir", work.Combine("state"), "-o", "json", "--explain"]);
        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Contains("reading content files under ", installed.Stderr, StringComparison.Ordinal);
        var entry = JsonNode.Parse(installed.Stdout)!.AsArray().Single()!;
        Assert.Equal("containerd", (string?)entry["source"]);
        Assert.Equal("function-cpt", (string?)entry["name"]);
        Assert.True(File.Exists(work.Combine("state", "lock.yaml")) || Directory.EnumerateFiles(work.Combine("state"), "*lock*", SearchOption.AllDirectories).Any());
    }
}
