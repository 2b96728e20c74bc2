using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>
/// <c>podman pull</c> and <c>podman push</c> against <c>xpkg serve</c> (vfs storage under a private root), over plain
/// HTTP and over <c>--tls auto</c> with only the server's CA trusted (<c>--cert-dir</c>).
/// </summary>
public sealed class PodmanInteropTests : IDisposable
{
    // podman refuses a runroot path over 50 characters: TempDir's is short.
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task PodmanPullsAndPushes(bool tls)
    {
        string cache = _dir.Combine("cache");
        await using var serve = await ServeProcess.StartOverFixtureAsync(cache, tls);
        string authority = new Uri(serve.Address).Authority;
        string[] trust = ["--tls-verify=false"];
        if (serve.CaFile is { } ca)
        {
            string certDir = _dir.Sub("certs");
            File.Copy(ca, Path.Combine(certDir, "ca.crt"));
            trust = ["--cert-dir", certDir];
        }

        string pulled = $"{authority}/crossplane-contrib/function-cpt:v1";
        await PodmanAsync(["pull", "-q", .. trust, pulled]);
        string images = await PodmanAsync("images", "--format", "{{.Repository}}:{{.Tag}}");
        Assert.Contains(pulled, images, StringComparison.Ordinal);

        // podman stores layers unpacked and compresses them again to push: new blobs, uploaded for real.
        string pushed = $"{authority}/pushed/by-podman:v2";
        await PodmanAsync(["push", "-q", .. trust, pulled, pushed]);

        Assert.NotNull(await CachedImages.DigestAsync(cache, pushed));

        // Pulled back from the server into a fresh storage: every pushed blob is there and verifies.
        string again = $"{authority}/pushed/by-podman:v2";
        await PodmanAsync(["--root", _dir.Combine("r2"), "pull", "-q", .. trust, again]);
        var verify = await Run.XpkgAsync(cache, "cache", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    private async Task<string> PodmanAsync(params string[] arguments)
    {
        // A later --root overrides this one (the pull back into fresh storage).
        string[] storage = ["--root", _dir.Combine("r"), "--runroot", _dir.Combine("rr"), "--storage-driver", "vfs", "--events-backend", "none"];
        string[] args = arguments[0] == "--root" ? [.. storage[2..], .. arguments] : [.. storage, .. arguments];
        var r = await Run.ProcessAsync("podman", args);
        Assert.True(r.ExitCode == 0, $"podman {string.Join(' ', args)}: {r}");
        return r.Stdout;
    }
}
