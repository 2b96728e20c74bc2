using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary>
/// A push through hosts.toml with several push endpoints, against real docker-registries: one read-only, one
/// asking for credentials nobody has, one whose disk is full (it opens an upload session, then fails while it
/// reads the blob; it already holds one layer of the image), and the working server last. The push ends at the
/// server with the digest intact, also when the blob comes from another registry as a stream that cannot seek,
/// the layer found at the full one is sent again, and <c>--explain</c> says why.
/// </summary>
public sealed class PushFallthroughTests : IDisposable
{
    private const string TwoLayerTag = "two-layer";
    private readonly TempDir _dir = new();
    private readonly DistributionRegistry _readOnly;
    private readonly DistributionRegistry _locked;
    private readonly DistributionRegistry _full;
    private readonly DistributionRegistry _server;
    private readonly string _hosts;
    private readonly Dictionary<string, string> _env;

    public PushFallthroughTests()
    {
        string htpasswd = _dir.Write("htpasswd", Run.ToolAsync("htpasswd", "-Bbn", "someone", "secret").GetAwaiter().GetResult());
        _readOnly = DistributionRegistry.Start(_dir.Combine("read-only"), readOnly: true);
        _locked = DistributionRegistry.Start(_dir.Combine("locked"), htpasswd: htpasswd);
        _full = DistributionRegistry.Start(_dir.Combine("full"), storageKiB: 1024);
        _server = DistributionRegistry.Start(_dir.Combine("server"));
        _hosts = _dir.Combine("hosts");
        _dir.Write($"hosts/{_server.Authority}/hosts.toml", $"""
            server = "http://{_server.Authority}"
            [host."http://{_readOnly.Authority}"]
              capabilities = ["pull", "resolve", "push"]
            [host."http://{_locked.Authority}"]
              capabilities = ["push"]
            [host."http://{_full.Authority}"]
              capabilities = ["push"]
            """);

        // No logins anywhere: the htpasswd registry must refuse.
        Directory.CreateDirectory(_dir.Combine("no-config"));
        _env = new Dictionary<string, string>
        {
            ["DOCKER_CONFIG"] = _dir.Combine("no-config"),
            ["REGISTRY_AUTH_FILE"] = _dir.Combine("no-config", "auth.json"),
            ["XDG_CONFIG_HOME"] = _dir.Combine("no-config"),
        };
    }

    public void Dispose()
    {
        _readOnly.Dispose();
        _locked.Dispose();
        _full.Dispose();
        _server.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// The full registry gets the tiny image (whose layer two-layer shares) in <paramref name="repository"/>, then
    /// is filled up to two pages: room for an upload session, none for a blob.
    /// </summary>
    private async Task FillTheFullRegistryAsync(string images, string repository)
    {
        await Run.ToolAsync("skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Path.Combine(images, "oci") + ":tiny", $"docker://{_full.Authority}/{repository}:tiny");
        _full.FillStorage(freeKiB: 8);
    }

    private Task<RunResult> Xpkg(string cache, params string[] args)
        => Run.ProcessAsync("dotnet", [Run.XpkgDll, "--cache-dir", cache, "--hosts-dir", _hosts, .. args], _env);

    [Fact]
    public async Task CopyFromAnotherRegistryFallsThroughToTheServer()
    {
        using var source = DistributionRegistry.Start(_dir.Combine("source"));
        string images = await TestImages.DirectoryAsync();
        await Run.ToolAsync("skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "oci:" + Path.Combine(images, "oci") + ":" + TwoLayerTag, $"docker://{source.Authority}/test/two:v1");

        await FillTheFullRegistryAsync(images, "copied/two");
        string dest = $"{_server.Authority}/copied/two:v1";
        var copied = await Xpkg(_dir.Combine("cache"), "copy", $"{source.Authority}/test/two:v1", dest, "--explain", "-o", "json");

        await AssertPushedToTheServerAsync(copied, dest);
    }

    [Fact]
    public async Task PushFromTheCacheFallsThroughToTheServer()
    {
        string images = await TestImages.DirectoryAsync();
        string cache = _dir.Combine("cache");
        var loaded = await Run.XpkgAsync(cache, "load", Path.Combine(images, "oci"));
        Assert.True(loaded.ExitCode == 0, loaded.ToString());

        await FillTheFullRegistryAsync(images, "pushed/two");
        string dest = $"{_server.Authority}/pushed/two:v1";
        var pushed = await Xpkg(cache, "push", TestImages.TwoLayer, dest, "--explain", "-o", "json");

        await AssertPushedToTheServerAsync(pushed, dest);
    }

    private async Task AssertPushedToTheServerAsync(RunResult result, string dest)
    {
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(TestImages.TwoLayer, (string?)JsonNode.Parse(result.Stdout)!["digest"]);
        var atServer = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--tls-verify=false", "docker://" + dest))!;
        Assert.Equal(TestImages.TwoLayer, (string?)atServer["Digest"]);

        // The explain trace in full on failure: it is the story of the push.
        void Says(string text) => Assert.True(result.Stderr.Contains(text, StringComparison.Ordinal), $"missing: {text}\n{result.Stderr}");

        Says($"not to http://{_readOnly.Authority}/v2 (mirror): it refused an upload session ({_readOnly.Authority} answered 405");
        Says($"not to http://{_locked.Authority}/v2 (mirror): it refused an upload session ({_locked.Authority} requires authentication");
        Says($"goes to http://{_full.Authority}/v2 (mirror): the first push endpoint that opened an upload session");
        Says($"not to http://{_full.Authority}/v2 (mirror): it failed during the push (");
        Says($"the rest of the push goes to http://{_server.Authority}/v2");
        Says($"opening the blob again at its source for http://{_server.Authority}/v2");
        Says($"answered by http://{_server.Authority}/v2 (server)");
        Says($"manifest {TestImages.TwoLayer}: 1 of its blobs are not at the endpoint the push went on to; sending them again");

        // The image is nowhere else.
        foreach (var other in new[] { _readOnly, _full })
        {
            string elsewhere = dest.Replace(_server.Authority, other.Authority, StringComparison.Ordinal);
            var r = await Run.ProcessAsync("skopeo", ["inspect", "--tls-verify=false", "docker://" + elsewhere]);
            Assert.NotEqual(0, r.ExitCode);
        }
    }
}
