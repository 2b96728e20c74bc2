using System.Security.Cryptography;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>A real client against the server: skopeo pushes an OCI layout and reads it back with the same digests.</summary>
public sealed class SkopeoInteropTests : IAsyncLifetime
{
    private readonly RegistryFixture _registry = new();
    private string _layout = "";
    private string _host = "";

    public async Task InitializeAsync()
    {
        await _registry.InitializeAsync();
        _layout = Path.Combine(_registry.Directory, "layout");
        _host = _registry.Server.BaseAddress.Authority;
    }

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task CopyImage_InspectGivesTheSameDigest_AndPullRoundTrips()
    {
        var (tiny, _) = TestLayout.Write(_layout);
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{_layout}:tiny", $"docker://{_host}/test/tiny:latest");

        string raw = await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{_host}/test/tiny:latest");
        Assert.Equal(tiny, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));
        using (var inspect = JsonDocument.Parse(await Run.ToolAsync("skopeo", "inspect", "--tls-verify=false", $"docker://{_host}/test/tiny:latest")))
        {
            Assert.Equal(tiny.ToString(), inspect.RootElement.GetProperty("Digest").GetString());
        }

        string pulled = Path.Combine(_registry.Directory, "pulled");
        await Run.ToolAsync("skopeo", "copy", "--src-tls-verify=false", $"docker://{_host}/test/tiny:latest", $"oci:{pulled}:tiny");
        Assert.True(File.Exists(Path.Combine(pulled, "blobs", "sha256", tiny.Encoded)));

        var stored = await _registry.Store.References.FindAsync($"{_registry.Server.RegistryHost}/test/tiny:latest", CancellationToken.None);
        Assert.Equal(tiny, stored?.Root.Digest);
        var verified = await new StoreVerifier(_registry.Store).VerifyAsync(CancellationToken.None);
        Assert.Empty(verified.Corrupt);
    }

    [Fact]
    public async Task CopyIndexWithAll_KeepsTheIndexDigest_AndListsTags()
    {
        var (_, multi) = TestLayout.Write(_layout);
        await Run.ToolAsync("skopeo", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false", $"oci:{_layout}:multi", $"docker://{_host}/test/multi:v1");
        using var inspect = JsonDocument.Parse(await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{_host}/test/multi:v1"));
        Assert.Equal(MediaTypes.OciIndex, inspect.RootElement.GetProperty("mediaType").GetString());
        string raw = await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{_host}/test/multi:v1");
        Assert.Equal(multi, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));

        using var tags = JsonDocument.Parse(await Run.ToolAsync("skopeo", "list-tags", "--tls-verify=false", $"docker://{_host}/test/multi"));
        Assert.Equal(["v1"], tags.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()));
    }

    [Fact]
    public async Task BigBlobOver30MB_PushedBySkopeo_IsAccepted()
    {
        // Kestrel refuses bodies over 30 MB unless the limit is lifted, which blob uploads do.
        string layout = Path.Combine(_registry.Directory, "big");
        Directory.CreateDirectory(Path.Combine(layout, "blobs", "sha256"));
        byte[] big = RandomNumberGenerator.GetBytes(33 * 1024 * 1024);
        var bigDigest = Digest.Compute(big);
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", bigDigest.Encoded), big);
        byte[] config = "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}"u8.ToArray();
        var configDigest = Digest.Compute(config);
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", configDigest.Encoded), config);
        byte[] manifest = System.Text.Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciManifest + "\",\"config\":{\"mediaType\":\""
            + MediaTypes.OciConfig + "\",\"digest\":\"" + configDigest + "\",\"size\":" + config.Length + "},\"layers\":[{\"mediaType\":\""
            + MediaTypes.OciLayer + "\",\"digest\":\"" + bigDigest + "\",\"size\":" + big.Length + "}]}");
        var manifestDigest = Digest.Compute(manifest);
        File.WriteAllBytes(Path.Combine(layout, "blobs", "sha256", manifestDigest.Encoded), manifest);
        File.WriteAllText(Path.Combine(layout, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        File.WriteAllText(Path.Combine(layout, "index.json"), "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"" + MediaTypes.OciManifest
            + "\",\"digest\":\"" + manifestDigest + "\",\"size\":" + manifest.Length + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"big\"}}]}");

        await Run.ToolAsync("skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", $"oci:{layout}:big", $"docker://{_host}/test/big:latest");
        Assert.Equal(big.Length, new FileInfo(_registry.Store.BlobPath(bigDigest)).Length);
    }
}
