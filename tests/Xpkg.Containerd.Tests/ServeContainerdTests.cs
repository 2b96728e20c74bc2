using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
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
    public async Task WithAMirror_CatalogAndTags_AreTheUnionsOfContainerdTheCacheAndTheUpstream()
    {
        string images = await TestImages.DirectoryAsync();
        using var dir = new TempDir();
        using var upstream = DistributionRegistry.Start(dir.Combine("upstream"));
        string up = upstream.Authority;
        foreach (string tag in (string[])["tiny", "v2", "v3"])
        {
            await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{Path.Combine(images, "oci")}:two-layer", $"docker://{up}/test/app:{tag}");
        }

        // containerd: the upstream's test/app with a tag of its own ("node"), a repository only it holds, and a Docker Hub image.
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", $"{up}/test/app", Path.Combine(images, "tiny-oci-archive.tar"));
        await containerd.CtrAsync("images", "tag", $"{up}/test/app:tiny", $"{up}/test/app:node", $"{up}/only/node:tiny", "docker.io/library/tiny:tiny");
        await using var serve = await ServeProcess.StartAsync(dir.Combine("serve-cache"),
            ["--mirror", "--containerd-socket", containerd.Socket, "--containerd-namespace", PrivateContainerd.Namespace]);
        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };

        // The cache: test/app:v2 fetched through the mirror, own/app pushed to a name of the server's own.
        Assert.Equal(TestImages.TwoLayer, Digest.Compute(await GetOkAsync(http, $"/v2/test/app/manifests/v2?ns={up}")).ToString());
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{Path.Combine(images, "oci")}:two-layer", $"docker://{serve.Authority}/own/app:v1");

        string[] everything = [$"{up}/only/node", $"{up}/test/app", "docker.io/library/tiny", "own/app", "test/app"];
        Assert.Equal(everything, await ListAsync(http, "/v2/_catalog", "repositories"));
        Assert.Equal(everything, await WalkAsync(http, "/v2/_catalog?n=1", "repositories"));
        Assert.Equal(everything[2..], await ListAsync(http, "/v2/_catalog?last=" + Uri.EscapeDataString($"{up}/test/app"), "repositories"));

        // Each name listed is served: containerd's Docker Hub image by its host-prefixed name.
        Assert.Equal(TestImages.Tiny, Digest.Compute(await GetOkAsync(http, "/v2/docker.io/library/tiny/manifests/tiny")).ToString());
        Assert.Equal(["tiny"], await ListAsync(http, $"/v2/{up}/only/node/tags/list", "tags"));
        Assert.Equal(["v1"], await ListAsync(http, "/v2/own/app/tags/list", "tags"));

        // containerd's "node", the upstream's "v3", and what both and the cache hold, once each.
        Assert.Equal(["node", "tiny", "v2", "v3"], await ListAsync(http, $"/v2/{up}/test/app/tags/list", "tags"));
        Assert.Equal(["node", "tiny", "v2", "v3"], await WalkAsync(http, $"/v2/{up}/test/app/tags/list?n=1", "tags"));

        // The upstream down: containerd's and the cache's tags.
        upstream.Dispose();
        Assert.Equal(["node", "tiny", "v2"], await ListAsync(http, $"/v2/{up}/test/app/tags/list", "tags"));
        Assert.True(await serve.StderrContainsAsync($"mirror: stale-served {up}/test/app tags (registry {up})", TimeSpan.FromSeconds(10)), serve.Stderr);

        // containerd down too: the cache's part, logged.
        await containerd.DisposeAsync();
        string fromContainerd = $"(containerd:{containerd.Socket}#{PrivateContainerd.Namespace})";
        Assert.Equal(["own/app", "test/app"], await ListAsync(http, "/v2/_catalog", "repositories"));
        Assert.True(await serve.StderrContainsAsync($"mirror: failed _catalog {fromContainerd}: cannot connect to containerd", TimeSpan.FromSeconds(10)), serve.Stderr);
        Assert.Equal(["v2"], await ListAsync(http, $"/v2/{up}/test/app/tags/list", "tags"));
        Assert.True(await serve.StderrContainsAsync($"mirror: failed {up}/test/app tags {fromContainerd}: cannot connect to containerd", TimeSpan.FromSeconds(10)), serve.Stderr);
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

    private static async Task<List<string>> ListAsync(HttpClient http, string path, string property)
        => (await PageAsync(http, path, property)).Items;

    /// <summary>Every page from <paramref name="path"/> on, following <c>Link: &lt;…&gt;; rel="next"</c>.</summary>
    private static async Task<List<string>> WalkAsync(HttpClient http, string path, string property)
    {
        var all = new List<string>();
        for (int pages = 0; pages < 20; pages++)
        {
            var (items, next) = await PageAsync(http, path, property);
            all.AddRange(items);
            if (next is null)
            {
                return all;
            }

            Assert.Single(items);
            path = next;
        }

        throw new InvalidOperationException($"{path}: more than 20 pages");
    }

    private static async Task<(List<string> Items, string? Next)> PageAsync(HttpClient http, string path, string property)
    {
        using var response = await http.GetAsync(path);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var items = json.RootElement.GetProperty(property).EnumerateArray().Select(e => e.GetString()!).ToList();
        string? link = response.Headers.TryGetValues("Link", out var values) ? values.Single() : null;
        return (items, link is null ? null : link[(link.IndexOf('<', StringComparison.Ordinal) + 1)..link.IndexOf('>', StringComparison.Ordinal)]);
    }

    private static async Task<byte[]> GetOkAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }
}
