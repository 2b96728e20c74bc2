using System.Text;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Testing;

namespace Xpkg.Tests.Store;

public class ContentStoreTests
{
    private static Descriptor Blob(byte[] content) => Descriptor.For("application/octet-stream", content);

    private static (Descriptor Manifest, byte[] Bytes, Descriptor Config, byte[] ConfigBytes) Image(string tag)
    {
        byte[] config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"author\":\"" + tag + "\",\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[]}}");
        var configDesc = Descriptor.For(MediaTypes.OciConfig, config);
        byte[] manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\""
            + configDesc.Digest + "\",\"size\":" + config.Length + "},\"layers\":[]}");
        return (Descriptor.For(MediaTypes.OciManifest, manifest), manifest, configDesc, config);
    }

    [Fact]
    public async Task IngestIsVerifiedAndLeavesNothingWhenWrong()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        byte[] content = Encoding.UTF8.GetBytes("some blob");
        var good = Blob(content);
        var lying = good with { Digest = Digest.Compute("other"u8) };

        await Assert.ThrowsAsync<DigestMismatchException>(() => store.WriteAsync(lying, new MemoryStream(content), default));
        await Assert.ThrowsAsync<DigestMismatchException>(() => store.WriteAsync(good with { Size = 100 }, new MemoryStream(content), default));
        Assert.False(File.Exists(store.BlobPath(lying.Digest)));
        Assert.False(File.Exists(store.BlobPath(good.Digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));

        await store.WriteAsync(good, new MemoryStream(content), default);
        Assert.True(store.Contains(good));
        Assert.Equal(content, await File.ReadAllBytesAsync(store.BlobPath(good.Digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
        Assert.True(File.Exists(dir.Combine("oci-layout")));
    }

    [Fact]
    public async Task ConcurrentIngestsOfOneDigestBothSucceed()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var content = new byte[3 << 20];
        new Random(7).NextBytes(content);
        var d = Blob(content);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => store.WriteAsync(d, new MemoryStream(content), default))));
        Assert.Equal(content, await File.ReadAllBytesAsync(store.BlobPath(d.Digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("ingest")));
    }

    [Fact]
    public async Task TagsAreReplacedAndNamedImagesLoseTheirAnonymousEntry()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var a = Image("a");
        var b = Image("b");
        foreach (var (d, bytes) in new[] { (a.Config, a.ConfigBytes), (a.Manifest, a.Bytes), (b.Config, b.ConfigBytes), (b.Manifest, b.Bytes) })
        {
            await store.WriteAsync(d, new MemoryStream(bytes), default);
        }

        await store.TagAsync(null, a.Manifest, "test", default);
        await store.TagAsync("example.com/x:1", a.Manifest, "test", default);
        await store.TagAsync("example.com/x:1", b.Manifest, "test", default);
        var refs = await store.References.ReadAsync(default);
        var only = Assert.Single(refs);
        Assert.Equal(b.Manifest.Digest, only.Root.Digest);
        Assert.Equal(b.Bytes.Length + b.ConfigBytes.Length, only.TotalSize);
        Assert.True(await store.IsCompleteAsync(b.Manifest, default));

        // The index is an OCI image layout index other tools read.
        string json = await File.ReadAllTextAsync(dir.Combine("index.json"));
        Assert.Contains("\"org.opencontainers.image.ref.name\":\"example.com/x:1\"", json, StringComparison.Ordinal);
        Assert.Contains("application/vnd.oci.image.manifest.v1+json", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GcRemovesOnlyUnreachableBlobsAndSparesLiveWriters()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        var kept = Image("kept");
        await store.WriteAsync(kept.Config, new MemoryStream(kept.ConfigBytes), default);
        await store.WriteAsync(kept.Manifest, new MemoryStream(kept.Bytes), default);
        await store.TagAsync("example.com/kept:1", kept.Manifest, "test", default);

        byte[] garbage = Encoding.UTF8.GetBytes("garbage");
        await store.WriteAsync(Blob(garbage), new MemoryStream(garbage), default);
        File.SetLastWriteTimeUtc(store.BlobPath(Blob(garbage).Digest), DateTime.UtcNow.AddMinutes(-5));

        // A writer that holds a lease and has just written a blob it has not tagged yet.
        byte[] pending = Encoding.UTF8.GetBytes("pending");
        var lease = await store.BeginLeaseAsync(default);
        await store.WriteAsync(Blob(pending), new MemoryStream(pending), default);

        // A temporary file of a killed ingest, and one of a live ingest (held open and locked).
        File.WriteAllText(dir.Combine("ingest", "dead.tmp"), "x");
        using var live = new FileStream(dir.Combine("ingest", "live.tmp"), FileMode.CreateNew, FileAccess.Write, FileShare.None);

        var result = await new GarbageCollector(store).CollectAsync(default);
        Assert.Equal(1, result.Removed);
        Assert.Equal(garbage.Length, result.FreedBytes);
        Assert.Equal(1, result.TemporaryFilesRemoved);
        Assert.False(File.Exists(store.BlobPath(Blob(garbage).Digest)));
        Assert.True(File.Exists(store.BlobPath(Blob(pending).Digest)));
        Assert.True(store.Contains(kept.Manifest) && store.Contains(kept.Config));
        Assert.True(File.Exists(dir.Combine("ingest", "live.tmp")));

        // Once the writer is gone and never tagged it, its blob is garbage too.
        lease.Dispose();
        File.SetLastWriteTimeUtc(store.BlobPath(Blob(pending).Digest), DateTime.UtcNow.AddMinutes(-5));
        Assert.Equal(1, (await new GarbageCollector(store).CollectAsync(default)).Removed);
    }

    [Fact]
    public async Task VerifyNamesCorruptBlobs()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);
        byte[] a = Encoding.UTF8.GetBytes("aaaa");
        byte[] b = Encoding.UTF8.GetBytes("bbbb");
        await store.WriteAsync(Blob(a), new MemoryStream(a), default);
        await store.WriteAsync(Blob(b), new MemoryStream(b), default);
        Assert.Empty((await new StoreVerifier(store).VerifyAsync(default)).Corrupt);

        string path = store.BlobPath(Blob(b).Digest);
        File.SetAttributes(path, FileAttributes.Normal);
        await File.WriteAllTextAsync(path, "bbbx");
        var result = await new StoreVerifier(store).VerifyAsync(default);
        Assert.Equal(2, result.Blobs);
        Assert.Equal([Blob(b).Digest.ToString()], result.Corrupt);
    }
}
