using System.Net;
using System.Net.Http.Headers;
using Xpkg.ContainerdClient.Tests.Support;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient.Tests;

/// <summary><c>xpkg serve --containerd-socket</c>: what a real containerd holds, served read-only as a registry.</summary>
public sealed class ServeContainerdTests
{
    [Fact]
    public async Task ServesImportedImages_ToSkopeoAndXpkgPull_ByNameAndByNs_ReadOnly()
    {
        string images = await TestImages.DirectoryAsync();
        using var dir = new TempDir();
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", "docker.io/library/tiny", Path.Combine(images, "tiny-oci-archive.tar"));
        string held = await containerd.ImageDigestAsync("docker.io/library/tiny:tiny") ?? "";
        Assert.Equal(TestImages.Tiny, held);

        await using var serve = await ServeProcess.StartAsync(dir.Combine("serve-cache"), ["--containerd-socket", containerd.Socket, "--containerd-namespace", PrivateContainerd.Namespace]);

        string inspected = await Run.ToolAsync("skopeo", "inspect", "--tls-verify=false", $"docker://{serve.Authority}/library/tiny:tiny");
        Assert.Contains(held, inspected, StringComparison.Ordinal);
        var pull = await Run.XpkgAsync(dir.Combine("client"), "pull", $"{serve.Authority}/tiny:tiny");
        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains(held, pull.Stdout, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };
        byte[] manifest = await GetOkAsync(http, $"/v2/library/tiny/manifests/{held}");
        Assert.Equal(held, Digest.Compute(manifest).ToString());
        Assert.Equal(held, Digest.Compute(await GetOkAsync(http, "/v2/library/tiny/manifests/tiny?ns=docker.io")).ToString());

        var layer = ParsedManifest.Parse(manifest).Layers[0];
        using (var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/library/tiny/blobs/{layer.Digest}")))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal(layer.Size, head.Content.Headers.ContentLength);
        }

        Assert.Equal(layer.Digest, Digest.Compute(await GetOkAsync(http, $"/v2/library/tiny/blobs/{layer.Digest}")));
        using (var range = new HttpRequestMessage(HttpMethod.Get, $"/v2/library/tiny/blobs/{layer.Digest}"))
        {
            range.Headers.Range = new RangeHeaderValue(1, 4);
            using var partial = await http.SendAsync(range);
            Assert.True(partial.StatusCode == HttpStatusCode.PartialContent, $"{(int)partial.StatusCode} {await partial.Content.ReadAsStringAsync()}\n{serve.Stderr}");
            Assert.Equal(4, (await partial.Content.ReadAsByteArrayAsync()).Length);
        }

        Assert.Contains("\"tiny\"", System.Text.Encoding.UTF8.GetString(await GetOkAsync(http, "/v2/library/tiny/tags/list")), StringComparison.Ordinal);
        Assert.Contains("\"library/tiny\"", System.Text.Encoding.UTF8.GetString(await GetOkAsync(http, "/v2/_catalog")), StringComparison.Ordinal);
        using (var missing = await http.GetAsync("/v2/library/nothing/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        }

        using var push = await http.PutAsync("/v2/library/tiny/manifests/v2", new ByteArrayContent(manifest) { Headers = { ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest) } });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, push.StatusCode);
        Assert.Contains("UNSUPPORTED", await push.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var upload = await http.PostAsync("/v2/library/tiny/blobs/uploads/", null);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, upload.StatusCode);

        // Served straight from containerd: nothing was copied into the server's cache.
        Assert.Empty(Directory.EnumerateFiles(dir.Combine("serve-cache", "blobs", "sha256")));
    }

    [Fact]
    public async Task WithAMirror_ContainerdAnswersFirst_AndTheMirrorFetchesWhatItDoesNotHold()
    {
        string images = await TestImages.DirectoryAsync();
        using var dir = new TempDir();
        using var upstream = DistributionRegistry.Start(dir.Combine("upstream"));
        foreach (string tag in (string[])["tiny", "v2"])
        {
            await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{Path.Combine(images, "oci")}:two-layer", $"docker://{upstream.Authority}/test/app:{tag}");
        }

        // containerd holds another image under the upstream's name for tag "tiny": the node's copy wins.
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", $"{upstream.Authority}/test/app", Path.Combine(images, "tiny-oci-archive.tar"));
        int pushed = File.ReadAllLines(upstream.LogFile).Length;
        await using var serve = await ServeProcess.StartAsync(dir.Combine("serve-cache"),
            ["--mirror", "--containerd-socket", containerd.Socket, "--containerd-namespace", PrivateContainerd.Namespace]);
        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };
        string ns = "?ns=" + upstream.Authority;

        byte[] held = await GetOkAsync(http, $"/v2/test/app/manifests/tiny{ns}");
        Assert.Equal(TestImages.Tiny, Digest.Compute(held).ToString());
        var layer = ParsedManifest.Parse(held).Layers[0];
        Assert.Equal(layer.Digest, Digest.Compute(await GetOkAsync(http, $"/v2/test/app/blobs/{layer.Digest}{ns}")));
        string fromContainerd = $"(containerd:{containerd.Socket}#{PrivateContainerd.Namespace})";
        Assert.True(await serve.StderrContainsAsync($"mirror: hit {upstream.Authority}/test/app:tiny {TestImages.Tiny} {fromContainerd}", TimeSpan.FromSeconds(10)), serve.Stderr);
        Assert.True(await serve.StderrContainsAsync($"mirror: hit {upstream.Authority}/test/app@{layer.Digest} {fromContainerd}", TimeSpan.FromSeconds(10)), serve.Stderr);
        Assert.DoesNotContain(File.ReadAllLines(upstream.LogFile).Skip(pushed), l => l.Contains("/v2/test/app/manifests/tiny", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(dir.Combine("serve-cache"), "blobs", "sha256", layer.Digest.Encoded)));

        // What containerd does not hold comes from the upstream, into the cache.
        var fetched = await GetOkAsync(http, $"/v2/test/app/manifests/v2{ns}");
        Assert.Equal(TestImages.TwoLayer, Digest.Compute(fetched).ToString());
        Assert.True(await serve.StderrContainsAsync($"mirror: miss {upstream.Authority}/test/app:v2 {TestImages.TwoLayer}", TimeSpan.FromSeconds(10)), serve.Stderr);
        foreach (var child in ParsedManifest.Parse(fetched).Children)
        {
            Assert.Equal(child.Digest, Digest.Compute(await GetOkAsync(http, $"/v2/test/app/blobs/{child.Digest}{ns}")));
        }

        // A containerd that stops answering is passed over: the upstream answers for the tag it held.
        await containerd.DisposeAsync();
        Assert.Equal(TestImages.TwoLayer, Digest.Compute(await GetOkAsync(http, $"/v2/test/app/manifests/tiny{ns}")).ToString());
        Assert.True(await serve.StderrContainsAsync($"mirror: failed {upstream.Authority}/test/app:tiny {fromContainerd}: cannot connect to containerd", TimeSpan.FromSeconds(10)), serve.Stderr);

        using var push = await http.PutAsync($"/v2/test/app/manifests/v3{ns}", new ByteArrayContent(held) { Headers = { ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest) } });
        Assert.Equal(HttpStatusCode.MethodNotAllowed, push.StatusCode);
        var verify = await Run.XpkgAsync(dir.Combine("serve-cache"), "cache", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }

    [Fact]
    public async Task AMissingSocket_IsAnErrorWithAHint_AndExitTwo()
    {
        using var dir = new TempDir();
        var r = await Run.XpkgAsync(dir.Path, "serve", "--addr", "127.0.0.1:0", "--containerd-socket", dir.Combine("no-such.sock"));

        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith("error: containerd socket " + dir.Combine("no-such.sock") + " does not exist", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint:", r.Stderr, StringComparison.Ordinal);
    }

    private static async Task<byte[]> GetOkAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }
}
