using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Tests.Archives;

/// <summary>The other shapes archives come in: Docker 25+ saves, compressed tarballs, skopeo's own layouts.</summary>
public class ArchiveShapeTests
{
    private static JsonArray Loaded(RunResult r)
    {
        Assert.True(r.ExitCode == 0, r.ToString());
        return JsonNode.Parse(r.Stdout)!.AsArray();
    }

    [Fact]
    public async Task LoadsTheDocker25ShapeWithSymlinkedLegacyEntries()
    {
        // Docker 25+ writes an OCI layout plus manifest.json, whose <id>/layer.tar entries are symlinks into blobs/.
        string images = await TestImages.DirectoryAsync();
        string layout = Path.Combine(images, "oci");
        var index = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "index.json")))!;
        var tiny = index["manifests"]!.AsArray().First(m => (string?)m!["digest"] == TestImages.Tiny)!;
        var manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(layout, "blobs", "sha256", TestImages.Tiny[7..])))!;
        string config = ((string)manifest["config"]!["digest"]!)[7..];
        string layer = ((string)manifest["layers"]![0]!["digest"]!)[7..];

        using var work = new TempDir();
        string archive = work.Combine("docker25.tar");
        using (var file = File.Create(archive))
        using (var tar = new TarWriter(file, TarEntryFormat.Pax))
        {
            void Add(string name, byte[] content) => tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) });
            foreach (var hex in new[] { config, layer, TestImages.Tiny[7..] })
            {
                Add("blobs/sha256/" + hex, await File.ReadAllBytesAsync(Path.Combine(layout, "blobs", "sha256", hex)));
            }

            tar.WriteEntry(new PaxTarEntry(TarEntryType.SymbolicLink, "0123abcd/layer.tar") { LinkName = "../blobs/sha256/" + layer });
            Add("oci-layout", Encoding.UTF8.GetBytes("{\"imageLayoutVersion\":\"1.0.0\"}"));
            Add("index.json", Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"{tiny["mediaType"]}\",\"digest\":\"{TestImages.Tiny}\",\"size\":{tiny["size"]},\"annotations\":{{\"io.containerd.image.name\":\"docker.io/library/tiny:v25\",\"org.opencontainers.image.ref.name\":\"v25\"}}}}]}}"));
            Add("manifest.json", Encoding.UTF8.GetBytes($"[{{\"Config\":\"blobs/sha256/{config}\",\"RepoTags\":[\"tiny:v25\"],\"Layers\":[\"0123abcd/layer.tar\"]}}]"));
        }

        using var cache = new TempDir();
        var loaded = Loaded(await Run.XpkgAsync(cache.Path, "load", archive, "-o", "json"));
        var entry = Assert.Single(loaded)!;
        Assert.Equal("docker.io/library/tiny:v25", (string?)entry["ref"]);
        Assert.Equal(TestImages.Tiny, (string?)entry["digest"]);
    }

    [Fact]
    public async Task LoadsACompressedTarball()
    {
        string images = await TestImages.DirectoryAsync();
        using var work = new TempDir();
        string gz = work.Combine("tiny.tar.gz");
        using (var input = File.OpenRead(Path.Combine(images, "tiny-docker-archive.tar")))
        using (var output = new GZipStream(File.Create(gz), CompressionLevel.Fastest))
        {
            await input.CopyToAsync(output);
        }

        using var cache = new TempDir();
        var loaded = Loaded(await Run.XpkgAsync(cache.Path, "load", gz, "-o", "json"));
        Assert.Equal("docker.io/test/tiny:latest", (string?)Assert.Single(loaded)!["ref"]);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "ingest")));
    }

    [Fact]
    public async Task LoadsASkopeoWrittenLayoutAndADockerSaveOfOurOwn()
    {
        string images = await TestImages.DirectoryAsync();
        using var work = new TempDir();
        string layout = work.Combine("skopeo-layout");
        await Run.ToolAsync("skopeo", "copy", "--all", "--preserve-digests", "oci:" + Path.Combine(images, "oci") + ":multi", "oci:" + layout + ":multi");
        using var cache = new TempDir();
        var loaded = Loaded(await Run.XpkgAsync(cache.Path, "load", layout, "--tag", "example.com/test/multi:v1", "-o", "json"));
        Assert.Equal(TestImages.Multi, (string?)Assert.Single(loaded)!["digest"]);

        // A docker-format save of an index keeps the index (and its digest) in index.json.
        string saved = work.Combine("saved.tar");
        Assert.Equal(0, (await Run.XpkgAsync(cache.Path, "save", "example.com/test/multi:v1", "--format", "docker", "--file", saved)).ExitCode);
        using var cache2 = new TempDir();
        var back = Loaded(await Run.XpkgAsync(cache2.Path, "load", saved, "-o", "json"));
        Assert.Equal(TestImages.Multi, (string?)Assert.Single(back)!["digest"]);
        Assert.Equal("example.com/test/multi:v1", (string?)back[0]!["ref"]);
    }

    [Fact]
    public async Task ACompressedBombIsRefused()
    {
        using var work = new TempDir();
        string path = work.Combine("bomb.tar.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.SmallestSize))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 200; i++)
            {
                gz.Write(zeros);
            }
        }

        using var cache = new TempDir();
        var r = await Run.ProcessAsync("dotnet", [Run.XpkgDll, "--cache-dir", cache.Path, "load", path],
            new Dictionary<string, string> { ["XPKG_MAX_EXPANSION_RATIO"] = "10" });
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("decompression bomb", r.Stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(cache.Path, "ingest")));
    }
}
