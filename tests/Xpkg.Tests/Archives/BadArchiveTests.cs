using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Tests.Archives;

/// <summary>Every bad archive is exit 2 with a precise message, and the cache is left exactly as it was.</summary>
public class BadArchiveTests
{
    private const string LayoutMarker = "{\"imageLayoutVersion\":\"1.0.0\"}";

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static void WriteTar(string path, IEnumerable<TarEntry> entries)
    {
        using var file = File.Create(path);
        using var tar = new TarWriter(file, TarEntryFormat.Pax);
        foreach (var e in entries)
        {
            tar.WriteEntry(e);
        }
    }

    private static PaxTarEntry File_(string name, byte[] content)
        => new(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(content) };

    /// <summary>A valid one-image OCI layout's entries: config, a layer and a manifest.</summary>
    private static (List<TarEntry> Entries, string ManifestDigest) ValidLayout(byte[]? layer = null, string layerMediaType = "application/vnd.oci.image.layer.v1.tar")
    {
        layer ??= Bytes("not really a tar but a blob");
        byte[] config = Bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var c = Digest.Compute(config);
        var l = Digest.Compute(layer);
        byte[] manifest = Bytes($"{{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"{c}\",\"size\":{config.Length}}},\"layers\":[{{\"mediaType\":\"{layerMediaType}\",\"digest\":\"{l}\",\"size\":{layer.Length}}}]}}");
        var m = Digest.Compute(manifest);
        byte[] index = Bytes($"{{\"schemaVersion\":2,\"manifests\":[{{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"{m}\",\"size\":{manifest.Length},\"annotations\":{{\"io.containerd.image.name\":\"example.com/bad/image:v1\"}}}}]}}");
        return ([
            File_("oci-layout", Bytes(LayoutMarker)),
            File_("blobs/sha256/" + c.Encoded, config),
            File_("blobs/sha256/" + l.Encoded, layer),
            File_("blobs/sha256/" + m.Encoded, manifest),
            File_("index.json", index),
        ], m.ToString());
    }

    private static async Task<string> Snapshot(string dir)
        => string.Join('\n', Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories)
            .Where(f => !f.EndsWith("index.lock", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(f => f[dir.Length..] + " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(f))))) + await Task.FromResult("");

    private static async Task AssertRejected(string archive, string expectedMessage)
    {
        using var cache = new TempDir();
        string before = await Snapshot(cache.Path);
        var good = await Run.XpkgAsync(cache.Path, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", "example.com/good:v1");
        Assert.Equal(0, good.ExitCode);
        before = await Snapshot(cache.Path);

        var r = await Run.XpkgAsync(cache.Path, "load", archive);
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.StartsWith("error: ", r.Stderr, StringComparison.Ordinal);
        Assert.Contains(expectedMessage, r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Stderr, StringComparison.Ordinal);
        Assert.Equal(before, await Snapshot(cache.Path));
    }

    [Fact]
    public async Task ValidLayoutLoads()
    {
        using var work = new TempDir();
        var (entries, digest) = ValidLayout();
        string path = work.Combine("ok.tar");
        WriteTar(path, entries);
        using var cache = new TempDir();
        var r = await Run.XpkgAsync(cache.Path, "load", path);
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains(digest, r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RejectsParentDirectoryEntries()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        entries.Add(File_("../escape.txt", Bytes("x")));
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "leaves the archive");
    }

    [Fact]
    public async Task RejectsAbsolutePaths()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        entries.Insert(0, File_("/etc/evil", Bytes("x")));
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "absolute path");
    }

    [Fact]
    public async Task RejectsEscapingSymlinks()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        entries.Add(new PaxTarEntry(TarEntryType.SymbolicLink, "blobs/sha256/link") { LinkName = "../../../etc/passwd" });
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "leaves the archive");
    }

    [Fact]
    public async Task RejectsDuplicateEntries()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        entries.Add(File_("index.json", Bytes("{\"schemaVersion\":2,\"manifests\":[]}")));
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "duplicate entry \"index.json\"");
    }

    [Fact]
    public async Task RejectsMissingBlobs()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        entries.RemoveAt(2);
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "has no content sha256:");
    }

    [Fact]
    public async Task RejectsBlobsWhoseContentDoesNotMatchTheirDigest()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        var layer = (PaxTarEntry)entries[2];
        entries[2] = File_(layer.Name, Bytes("not really a tar but a blub"));
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "digest mismatch");
    }

    [Fact]
    public async Task RejectsSizesThatDoNotMatch()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout();
        var layer = (PaxTarEntry)entries[2];
        entries[2] = File_(layer.Name, Bytes("not really a tar but a blob, longer"));
        WriteTar(work.Combine("a.tar"), entries);
        await AssertRejected(work.Combine("a.tar"), "longer than its declared size");
    }

    [Fact]
    public async Task RejectsTruncatedArchives()
    {
        using var work = new TempDir();
        var (entries, _) = ValidLayout(new byte[64 * 1024]);
        string full = work.Combine("full.tar");
        WriteTar(full, entries);
        byte[] bytes = await File.ReadAllBytesAsync(full);
        string cut = work.Combine("cut.tar");
        // Cut inside the layer's data (the third entry).
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length / 2)]);
        await AssertRejected(cut, "truncated");
    }

    [Fact]
    public async Task RejectsNonArchives()
    {
        using var work = new TempDir();
        await File.WriteAllTextAsync(work.Combine("x.tar"), "hello, this is not a tar file at all");
        await AssertRejected(work.Combine("x.tar"), "x.tar");
    }

    [Fact]
    public async Task RejectsAGzipBombInALayerThatMustBeOpened()
    {
        // A docker-save archive with a gzip layer: its diff_id is checked by decompressing, with a bound.
        using var work = new TempDir();
        var bomb = new MemoryStream();
        using (var gz = new GZipStream(bomb, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 300; i++)
            {
                gz.Write(zeros);
            }
        }

        byte[] layer = bomb.ToArray();
        Assert.True(layer.Length < 1 << 20);
        byte[] config = Bytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + new string('0', 64) + "\"]}}");
        var c = Digest.Compute(config);
        var l = Digest.Compute(layer);
        string archive = work.Combine("bomb.tar");
        WriteTar(archive, [
            File_(c.ToString(), config),
            File_(l.Encoded + ".tar.gz", layer),
            File_("manifest.json", Bytes($"[{{\"Config\":\"{c}\",\"RepoTags\":null,\"Layers\":[\"{l.Encoded}.tar.gz\"]}}]")),
        ]);
        await AssertRejected(archive, "decompression bomb");
    }

    [Fact]
    public async Task RejectsLayersThatDoNotMatchTheirDiffIds()
    {
        using var work = new TempDir();
        var gzipped = new MemoryStream();
        using (var gz = new GZipStream(gzipped, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(Bytes("pretend tar"));
        }

        byte[] layer = gzipped.ToArray();
        byte[] config = Bytes("{\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + new string('1', 64) + "\"]}}");
        var c = Digest.Compute(config);
        var l = Digest.Compute(layer);
        string archive = work.Combine("diff.tar");
        WriteTar(archive, [
            File_(c.ToString(), config),
            File_(l.Encoded + ".tar.gz", layer),
            File_("manifest.json", Bytes($"[{{\"Config\":\"{c}\",\"RepoTags\":[\"x/y:z\"],\"Layers\":[\"{l.Encoded}.tar.gz\"]}}]")),
        ]);
        await AssertRejected(archive, "diff_id");
    }

    [Fact]
    public async Task BadUsageIsExitTwo()
    {
        using var cache = new TempDir();
        var unknownFlag = await Run.XpkgAsync(cache.Path, "images", "--no-such-flag");
        Assert.Equal(2, unknownFlag.ExitCode);
        Assert.StartsWith("error: ", unknownFlag.Stderr, StringComparison.Ordinal);

        var badRef = await Run.XpkgAsync(cache.Path, "inspect", "Not/A/Valid:Ref:");
        Assert.Equal(2, badRef.ExitCode);
        Assert.Contains("invalid reference", badRef.Stderr, StringComparison.Ordinal);
        Assert.Contains("hint: ", badRef.Stderr, StringComparison.Ordinal);

        var missing = await Run.XpkgAsync(cache.Path, "inspect", "example.com/not/here:v1");
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("hint: bring it in with xpkg load", missing.Stderr, StringComparison.Ordinal);

        var version = await Run.ProcessAsync("dotnet", [Run.XpkgDll, "--version"]);
        Assert.Equal(0, version.ExitCode);
        Assert.Single(version.Stdout.Trim().Split('\n'));
    }
}
