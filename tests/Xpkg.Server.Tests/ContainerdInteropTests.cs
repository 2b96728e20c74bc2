using System.Text.Json.Nodes;
using Xpkg.Testing;
using PrivateContainerd = Xpkg.Testing.Containerd;

namespace Xpkg.Server.Tests;

/// <summary>
/// <c>ctr images pull</c> and <c>ctr images push</c> from a private containerd against <c>xpkg serve</c>, over plain
/// HTTP and over <c>--tls auto</c>, configured only through the <c>hosts.toml</c> that <c>xpkg registry-config</c> prints.
/// </summary>
public sealed class ContainerdInteropTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CtrPullsAndPushes_ThroughThePrintedHostsToml(bool tls)
    {
        string cache = _dir.Combine("cache");
        await using var serve = await ServeProcess.StartOverFixtureAsync(cache, tls);
        string authority = new Uri(serve.Address).Authority;
        string certsD = await WriteHostsDirAsync(cache, authority, serve.CaFile);

        await using var containerd = await PrivateContainerd.StartAsync();
        string pulled = $"{authority}/crossplane-contrib/function-cpt:v1";
        await containerd.CtrOutputAsync("images", "pull", "--snapshotter", "native", "--hosts-dir", certsD, pulled);
        string digest = await ImageDigestAsync(containerd, pulled);
        Assert.Equal(await CachedImages.DigestAsync(cache, ServeProcess.FixtureReference), digest);

        // Pushed under a new name: containerd uploads every blob it is not told the registry has, then the manifest.
        string pushed = $"{authority}/pushed/by-ctr:v2";
        await containerd.CtrOutputAsync("images", "tag", pulled, pushed);
        await containerd.CtrOutputAsync("images", "push", "--hosts-dir", certsD, pushed);
        Assert.Equal(digest, await CachedImages.DigestAsync(cache, pushed));

        var verify = await Run.XpkgAsync(cache, "cache", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    /// <summary>
    /// Lays out <c>certs.d/&lt;authority&gt;/hosts.toml</c> (and <c>ca.crt</c>) as on a node, from what
    /// <c>xpkg registry-config</c> prints, under a temp directory instead of <c>/etc/containerd/certs.d</c>.
    /// </summary>
    private async Task<string> WriteHostsDirAsync(string cache, string authority, string? caFile)
    {
        string[] arguments = caFile is null
            ? ["registry-config", "--addr", authority, "--output", "json"]
            : ["registry-config", "--addr", authority, "--ca", caFile, "--output", "json"];
        var r = await Run.XpkgAsync(cache, arguments);
        Assert.True(r.ExitCode == 0, r.ToString());
        var json = JsonNode.Parse(r.Stdout)!;
        string hostsDir = (string)json["hostsDir"]!;
        string hostsToml = (string)json["hostsToml"]!;
        Assert.StartsWith($"server = \"{(caFile is null ? "http" : "https")}://{authority}\"", hostsToml, StringComparison.Ordinal);

        string certsD = _dir.Combine("certs.d");
        string dir = Path.Combine(certsD, authority);
        Directory.CreateDirectory(dir);
        if (caFile is not null)
        {
            File.Copy(caFile, Path.Combine(dir, "ca.crt"));
        }

        await File.WriteAllTextAsync(Path.Combine(dir, "hosts.toml"), hostsToml.Replace(hostsDir, dir, StringComparison.Ordinal));
        return certsD;
    }

    /// <summary>The target digest containerd recorded for <paramref name="reference"/> (<c>ctr images ls</c>: REF TYPE DIGEST …).</summary>
    private static async Task<string> ImageDigestAsync(PrivateContainerd containerd, string reference)
    {
        string list = await containerd.CtrOutputAsync("images", "ls", "name==" + reference);
        string? line = list.Split('\n').FirstOrDefault(l => l.StartsWith(reference + " ", StringComparison.Ordinal));
        Assert.True(line is not null, list);
        return line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[2];
    }
}
