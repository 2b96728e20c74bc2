using Xpkg.ContainerdClient.Tests.Support;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.ContainerdClient.Tests;

/// <summary>Cached images written into containerd: content, GC labels, the image record, no second writes.</summary>
public sealed class WriteToContainerdTests
{
    [Fact]
    public async Task ACachedImageIsWrittenWithGcLabelsAndNamedAsTheKubeletLooksItUp()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        var store = ContentStore.Open(cache.Path);
        var loaded = await new ArchiveLoader(store).LoadAsync(Path.Combine(images, "tiny-oci-archive.tar"), "tiny:v1", new CopyOptions(), CancellationToken.None);
        var root = Assert.Single(loaded.Images).Root;

        await using var containerd = await PrivateContainerd.StartAsync();
        CopyResult first;
        await using (var target = containerd.Connect())
        {
            first = await CopyEngine.CopyAsync(store, root, target, new CopyOptions(), CancellationToken.None);
            await target.TagAsync("tiny:v1", root, "test", CancellationToken.None);
        }

        Assert.Equal(3, first.BlobsCopied);
        Assert.Equal(TestImages.Tiny, await containerd.ImageDigestAsync("docker.io/library/tiny:v1"));
        Assert.Contains("complete (2/2)", await containerd.CtrAsync("images", "check"), StringComparison.Ordinal);
        string labels = await containerd.CtrAsync("content", "ls");
        Assert.Contains("containerd.io/gc.ref.content.config=sha256:", labels, StringComparison.Ordinal);
        Assert.Contains("containerd.io/gc.ref.content.l.0=sha256:", labels, StringComparison.Ordinal);
        Assert.DoesNotContain("xpkg-", await containerd.CtrAsync("leases", "ls"), StringComparison.Ordinal);

        // Only the image record and its labels keep the content now: a synchronous collection must leave it all.
        await containerd.CtrAsync("images", "tag", "docker.io/library/tiny:v1", "docker.io/library/doomed:v1");
        await containerd.CtrAsync("images", "rm", "--sync", "docker.io/library/doomed:v1");
        Assert.Contains("complete (2/2)", await containerd.CtrAsync("images", "check"), StringComparison.Ordinal);

        await using (var again = containerd.Connect())
        {
            var second = await CopyEngine.CopyAsync(store, root, again, new CopyOptions(), CancellationToken.None);
            await again.TagAsync("tiny:v1", root, "test", CancellationToken.None);
            Assert.Equal(0, second.BlobsCopied);
        }
    }

    [Fact]
    public async Task TaggingAnExistingNameMovesIt()
    {
        string images = await TestImages.DirectoryAsync();
        using var cache = new TempDir();
        var store = ContentStore.Open(cache.Path);
        var tiny = (await new ArchiveLoader(store).LoadAsync(Path.Combine(images, "tiny-oci-archive.tar"), "tiny:v1", new CopyOptions(), CancellationToken.None)).Images[0].Root;
        var package = (await new ArchiveLoader(store).LoadAsync(Repo.Fixture(Repo.XpkgFixture), "fn:v1", new CopyOptions(), CancellationToken.None)).Images[0].Root;

        await using var containerd = await PrivateContainerd.StartAsync();
        await using var target = containerd.Connect();
        await CopyEngine.CopyAsync(store, tiny, target, new CopyOptions(), CancellationToken.None);
        await target.TagAsync("xpkg.example/moving:v1", tiny, "test", CancellationToken.None);
        await CopyEngine.CopyAsync(store, package, target, new CopyOptions(), CancellationToken.None);
        await target.TagAsync("xpkg.example/moving:v1", package, "test", CancellationToken.None);

        Assert.Equal(package.Digest.ToString(), await containerd.ImageDigestAsync("xpkg.example/moving:v1"));
    }

    [Fact]
    public async Task ContentThatDoesNotMatchItsDigestIsNotCommitted()
    {
        await using var containerd = await PrivateContainerd.StartAsync();
        await using var target = containerd.Connect();
        var claimed = Descriptor.For(MediaTypes.OciLayer, "the real content"u8);

        await Assert.ThrowsAsync<DigestMismatchException>(() =>
            target.WriteAsync(claimed, new MemoryStream("other content!!!"u8.ToArray()), CancellationToken.None));

        Assert.False(await target.ExistsAsync(claimed, CancellationToken.None));
        Assert.DoesNotContain("xpkg-", await containerd.CtrAsync("content", "active"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ABlobLargerThanOneChunkRoundTrips()
    {
        var bytes = new byte[(3 * 1024 * 1024) + 12345];
        new Random(7).NextBytes(bytes);
        var blob = Descriptor.For(MediaTypes.OciLayer, bytes);
        await using var containerd = await PrivateContainerd.StartAsync();
        await using var store = containerd.Connect();

        await store.WriteAsync(blob, new MemoryStream(bytes), CancellationToken.None);
        await using var read = new VerifyingStream(await store.OpenAsync(blob, CancellationToken.None), blob.Digest, blob.Size);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);

        Assert.Equal(bytes, copy.ToArray());
    }
}
