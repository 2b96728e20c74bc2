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
