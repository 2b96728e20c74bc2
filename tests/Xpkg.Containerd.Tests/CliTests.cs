using System.Net.Sockets;
using Xpkg.ContainerdClient.Tests.Support;

namespace Xpkg.ContainerdClient.Tests;

/// <summary>The xpkg command line against a real containerd.</summary>
public sealed class CliTests
{
    [Fact]
    public async Task LoadIntoContainerdShowsInCtrWithTheRightDigestAndAllContent()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        await using var containerd = await PrivateContainerd.StartAsync();

        var tiny = await XpkgAsync(cache, containerd, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", "tiny:v1", "--into-containerd");
        var package = await XpkgAsync(cache, containerd, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", "xpkg.example/crossplane/function-cpt:v1", "--into-containerd");

        Assert.True(tiny.ExitCode == 0, tiny.ToString());
        Assert.True(package.ExitCode == 0, package.ToString());
        Assert.Equal(TestImages.Tiny, await containerd.ImageDigestAsync("docker.io/library/tiny:v1"));
        string? packageDigest = await containerd.ImageDigestAsync("xpkg.example/crossplane/function-cpt:v1");
        Assert.Contains("Loaded xpkg.example/crossplane/function-cpt:v1 " + packageDigest, package.Stdout, StringComparison.Ordinal);
        string check = await containerd.CtrAsync("images", "check");
        Assert.Contains("complete (2/2)", check, StringComparison.Ordinal);
        Assert.Contains("complete (3/3)", check, StringComparison.Ordinal);
        Assert.DoesNotContain("incomplete", check, StringComparison.Ordinal);

        // containerd can use what we wrote: creating a container unpacks the layers and checks their diff IDs.
        await containerd.CtrAsync("containers", "create", "--snapshotter", "native", "docker.io/library/tiny:v1", "tiny-from-xpkg");
        Assert.Contains("Committed", await containerd.CtrAsync("snapshots", "--snapshotter", "native", "ls"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ContainerdPullCopiesAnImportedImageIntoTheCache()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", "docker.io/test/tiny", Path.Combine(images, "tiny-oci-archive.tar"));

        var pull = await XpkgAsync(cache, containerd, "containerd", "pull", "test/tiny:tiny");
        var list = await XpkgAsync(cache, containerd, "images");
        var inspect = await XpkgAsync(cache, containerd, "cache", "verify");

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains(TestImages.Tiny, pull.Stdout, StringComparison.Ordinal);
        Assert.Contains("docker.io/test/tiny:tiny", list.Stdout, StringComparison.Ordinal);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
    }

    [Fact]
    public async Task ContainerdPushNamesACachedImageForTheKubelet()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        await using var containerd = await PrivateContainerd.StartAsync();
        var load = await XpkgAsync(cache, containerd, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", "xpkg.example/tiny:v1");

        var push = await XpkgAsync(cache, containerd, "containerd", "push", "xpkg.example/tiny:v1", "tiny");
        var again = await XpkgAsync(cache, containerd, "containerd", "push", TestImages.Tiny, "xpkg.example/tiny:v2");

        Assert.True(load.ExitCode == 0, load.ToString());
        Assert.True(push.ExitCode == 0, push.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("(0 blobs written, 1 already there)", again.Stdout, StringComparison.Ordinal);
        Assert.Equal(TestImages.Tiny, await containerd.ImageDigestAsync("docker.io/library/tiny:latest"));
        Assert.Equal(TestImages.Tiny, await containerd.ImageDigestAsync("xpkg.example/tiny:v2"));
    }

    [Fact]
    public async Task AMissingSocketIsAClearErrorWithAHint()
    {
        using var cache = new TempDir();
        var r = await Run.XpkgAsync(cache.Path, "containerd", "pull", "tiny:v1", "--containerd-socket", cache.Combine("no-such.sock"));

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: containerd socket " + cache.Combine("no-such.sock") + " does not exist", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--containerd-socket", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARefusedConnectionIsAClearErrorWithAHint()
    {
        using var cache = new TempDir();
        string dead = cache.Combine("dead.sock");
        // A socket file nobody listens on any more: connecting to it is refused. It is moved away from the
        // bound path first, because .NET deletes the file it bound when the socket is disposed.
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            socket.Bind(new UnixDomainSocketEndPoint(cache.Combine("bound.sock")));
            socket.Listen();
            File.Move(cache.Combine("bound.sock"), dead);
        }

        Assert.True(File.Exists(dead));

        var r = await Run.ProcessAsync("dotnet", [Run.XpkgDll, "--cache-dir", cache.Path, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", "fn:v1", "--into-containerd"],
            new Dictionary<string, string> { ["XPKG_CONTAINERD_SOCKET"] = dead });

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: cannot connect to containerd at " + dead + ": connection refused", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: is containerd running?", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASocketTheUserMayNotOpenIsAClearErrorWithAHint()
    {
        await using var containerd = await PrivateContainerd.StartAsync();
        // containerd's socket is root's (0660 root:root); an unprivileged user is refused. Only root can switch user.
        if (Environment.UserName != "root" || (await Run.ProcessAsync("runuser", ["-u", "nobody", "--", "test", "-r", Run.XpkgDll])).ExitCode != 0)
        {
            return;
        }

        var r = await Run.ProcessAsync("runuser", ["-u", "nobody", "--", "env", "HOME=/tmp", "DOTNET_CLI_HOME=/tmp", "dotnet", Run.XpkgDll,
            "--cache-dir", Path.Combine(Path.GetTempPath(), "xpkg-nobody-" + Guid.NewGuid().ToString("N")[..8]),
            "containerd", "images", "--containerd-socket", containerd.Socket]);

        Assert.Equal(1, r.ExitCode);
        Assert.Contains("error: cannot connect to containerd at " + containerd.Socket + ": permission denied", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: containerd's socket is normally only root's", r.Stderr, StringComparison.Ordinal);
    }

    private static Task<RunResult> XpkgAsync(TempDir cache, PrivateContainerd containerd, params string[] args)
        => Run.XpkgAsync(cache.Path, [.. args, "--containerd-socket", containerd.Socket, "--containerd-namespace", PrivateContainerd.Namespace]);
}
