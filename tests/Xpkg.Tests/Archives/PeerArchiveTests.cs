using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Tests.Archives;

/// <summary>Archives made by the real tools load with their digests; what xpkg saves, the real tools read.</summary>
public class PeerArchiveTests
{
    private static JsonArray Json(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!.AsArray();
    }

    [Fact]
    public async Task LoadsOciLayoutDirectoryWithAllImagesAndDigestsIntact()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        var loaded = Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "oci"), "-o", "json"));
        var digests = loaded.Select(e => (string)e!["digest"]!).ToHashSet();
        Assert.Contains(TestImages.Tiny, digests);
        Assert.Contains(TestImages.Multi, digests);
        Assert.Contains(TestImages.TwoLayer, digests);
        Assert.Contains(TestImages.Uncompressed, digests);

        // Bare OCI ref names are tags without a repository: listed by digest until named.
        Assert.All(loaded, e => Assert.Null((string?)e!["ref"]));
        var verify = await Run.XpkgAsync(cache.Path, "cache", "verify", "-o", "json");
        Assert.Equal(0, verify.ExitCode);
        Assert.Empty(JsonNode.Parse(verify.Stdout)!["corrupt"]!.AsArray());
    }

    [Fact]
    public async Task LoadsSkopeoDockerArchiveAndOciArchive()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        var docker = Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "tiny-docker-archive.tar"), "-o", "json"));
        Assert.Equal("docker.io/test/tiny:latest", (string?)docker.Single()!["ref"]);
        Assert.Equal("application/vnd.docker.distribution.manifest.v2+json", (string?)docker.Single()!["mediaType"]);

        var oci = Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", "example.com/test/tiny:v1", "-o", "json"));
        Assert.Equal(TestImages.Tiny, (string?)oci.Single()!["digest"]);
        Assert.Equal("example.com/test/tiny:v1", (string?)oci.Single()!["ref"]);

        var list = Json(await Run.XpkgAsync(cache.Path, "images", "-o", "json"));
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public async Task LoadsUmociLayoutAndCrossplanePackageFile()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        var umoci = Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "umoci"), "--tag", "example.com/umoci:tiny", "-o", "json"));
        Assert.StartsWith("sha256:", (string?)umoci.Single()!["digest"], StringComparison.Ordinal);

        // The go-containerregistry shape: the synthesised manifest has the digest the Crossplane CLI named the file by.
        var xpkg = Json(await Run.XpkgAsync(cache.Path, "load", Repo.Fixture(Repo.XpkgFixture), "-o", "json"));
        Assert.Equal("sha256:9b3ddecdb8ffacdbaa1e552f6fb2fc9e5b48943e3e4dd1afb5b212b25abd721d", (string?)xpkg.Single()!["digest"]);
        Assert.Null((string?)xpkg.Single()!["ref"]);
    }

    [Fact]
    public async Task SavedOciArchiveReadsInSkopeoWithTheSameDigests()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        using var work = new TempDir();
        Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", "example.com/test/tiny:v1", "-o", "json"));
        string archive = work.Combine("out.tar");
        var saved = await Run.XpkgAsync(cache.Path, "save", "example.com/test/tiny:v1", "--file", archive, "-o", "json");
        Assert.True(saved.ExitCode == 0, saved.ToString());
        Assert.Equal(TestImages.Tiny, (string?)JsonNode.Parse(saved.Stdout)!["digests"]![0]);

        var inspect = JsonNode.Parse(await Run.ToolAsync("skopeo", "inspect", "--raw", "oci-archive:" + archive))!;
        Assert.Equal(2, (int)inspect["schemaVersion"]!);
        string copied = work.Combine("copied");
        await Run.ToolAsync("skopeo", "copy", "--preserve-digests", "oci-archive:" + archive, "oci:" + copied + ":t");
        Assert.Contains(TestImages.Tiny, await File.ReadAllTextAsync(Path.Combine(copied, "index.json")), StringComparison.Ordinal);

        // And the round trip through xpkg itself.
        using var cache2 = new TempDir();
        var back = Json(await Run.XpkgAsync(cache2.Path, "load", archive, "-o", "json"));
        Assert.Equal("example.com/test/tiny:v1", (string?)back.Single()!["ref"]);
        Assert.Equal(TestImages.Tiny, (string?)back.Single()!["digest"]);
    }

    [Fact]
    public async Task SavedMultiPlatformIndexKeepsItsDigest()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        using var work = new TempDir();
        Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "oci"), "-o", "json"));
        string archive = work.Combine("multi.tar");
        var saved = await Run.XpkgAsync(cache.Path, "save", TestImages.Multi, "--file", archive, "-o", "json");
        Assert.True(saved.ExitCode == 0, saved.ToString());
        string copied = work.Combine("copied");
        await Run.ToolAsync("skopeo", "copy", "--all", "--preserve-digests", "oci-archive:" + archive, "oci:" + copied + ":m");
        Assert.Contains(TestImages.Multi, await File.ReadAllTextAsync(Path.Combine(copied, "index.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DockerFormatSaveLoadsInPodmanAndCtr()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        using var work = new TempDir();
        Json(await Run.XpkgAsync(cache.Path, "load", Path.Combine(images, "tiny-oci-archive.tar"), "--tag", "example.com/test/tiny:v1", "-o", "json"));
        Json(await Run.XpkgAsync(cache.Path, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", "example.com/fn/pat:v1", "-o", "json"));
        string archive = work.Combine("docker.tar");
        var saved = await Run.XpkgAsync(cache.Path, "save", "example.com/test/tiny:v1", "example.com/fn/pat:v1", "--format", "docker", "--file", archive);
        Assert.True(saved.ExitCode == 0, saved.ToString());

        string podman = $"--root={work.Combine("podman-root")} --runroot={work.Combine("podman-run")} --storage-driver=vfs";
        var podmanArgs = podman.Split(' ');
        var load = await Run.ProcessAsync("podman", [.. podmanArgs, "load", "-i", archive]);
        Assert.True(load.ExitCode == 0, load.ToString());
        var listed = await Run.ToolAsync("podman", [.. podmanArgs, "images", "--format", "{{.Repository}}:{{.Tag}}"]);
        Assert.Contains("example.com/test/tiny:v1", listed, StringComparison.Ordinal);
        Assert.Contains("example.com/fn/pat:v1", listed, StringComparison.Ordinal);

        await using var containerd = await Containerd.StartAsync();
        var import = await containerd.CtrAsync("images", "import", "--no-unpack", archive);
        Assert.True(import.ExitCode == 0, import.ToString());
        var ctrList = await containerd.CtrAsync("images", "ls");
        Assert.Contains("example.com/test/tiny:v1", ctrList.Stdout, StringComparison.Ordinal);
        Assert.Contains(TestImages.Tiny, ctrList.Stdout, StringComparison.Ordinal);
        Assert.Contains("sha256:9b3ddecdb8ffacdbaa1e552f6fb2fc9e5b48943e3e4dd1afb5b212b25abd721d", ctrList.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LoadsWhatCtrExports()
    {
        string images = await TestImages.DirectoryAsync();
        using var work = new TempDir();
        await using var containerd = await Containerd.StartAsync();
        var import = await containerd.CtrAsync("images", "import", "--no-unpack", "--index-name", "example.com/test/multi:v1", "--all-platforms", Path.Combine(images, "tiny-oci-archive.tar"));
        Assert.True(import.ExitCode == 0, import.ToString());
        string exported = work.Combine("ctr.tar");
        var export = await containerd.CtrAsync("images", "export", exported, "example.com/test/multi:v1");
        Assert.True(export.ExitCode == 0, export.ToString());

        using var cache = new TempDir();
        var loaded = Json(await Run.XpkgAsync(cache.Path, "load", exported, "-o", "json"));
        Assert.Contains(loaded, e => (string?)e!["ref"] == "example.com/test/multi:v1");
    }
}
