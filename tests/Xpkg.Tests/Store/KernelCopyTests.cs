using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Store;
using Xpkg.Testing;

namespace Xpkg.Tests.Store;

/// <summary>Ingest of a blob that is a range of a file (a layer inside a tar archive) by copy_file_range.</summary>
public class KernelCopyTests
{
    // More than one 8 MiB chunk of the kernel copy, and a tail that is not a multiple of a page.
    private const int ContentLength = (20 << 20) + 123;
    private const int Prefix = 1000;

    [Fact]
    public async Task AFileRangeIsCopiedByteForByteWithoutPassingThroughTheStream()
    {
        using var dir = new TempDir();
        var (path, content) = WriteFramed(dir);
        var store = ContentStore.Open(dir.Combine("cache"));
        var blob = Descriptor.For("application/vnd.oci.image.layer.v1.tar", content);

        using var source = new FileRegionStream(path, Prefix, ContentLength);
        await store.WriteAsync(blob, source, default);

        Assert.Equal(ContentLength, source.Advanced);
        Assert.Equal(0, source.BytesRead);
        Assert.Equal(content, await File.ReadAllBytesAsync(store.BlobPath(blob.Digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("cache", "ingest")));
    }

    [Fact]
    public async Task ARangeThatIsNotTheDigestLeavesNothing()
    {
        using var dir = new TempDir();
        var (path, content) = WriteFramed(dir);
        var store = ContentStore.Open(dir.Combine("cache"));
        var lying = Descriptor.For("application/octet-stream", content) with { Digest = Digest.Compute("other"u8) };

        using var source = new FileRegionStream(path, Prefix, ContentLength);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => store.WriteAsync(lying, source, default));

        Assert.Contains("digest mismatch: expected " + lying.Digest, e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.BlobPath(lying.Digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("cache", "ingest")));
    }

    [Fact]
    public async Task AFileShorterThanItsRangeIsTruncatedContent()
    {
        using var dir = new TempDir();
        var (path, content) = WriteFramed(dir);
        var store = ContentStore.Open(dir.Combine("cache"));
        var blob = Descriptor.For("application/octet-stream", content);
        using (var f = new FileStream(path, FileMode.Open, FileAccess.Write))
        {
            // The archive shrank after it was indexed: the range now ends past the end of the file.
            f.SetLength(Prefix + (9 << 20));
        }

        using var source = new FileRegionStream(path, Prefix, ContentLength);
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => store.WriteAsync(blob, source, default));

        Assert.Contains("is truncated: " + (9 << 20) + " of " + ContentLength + " bytes", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(store.BlobPath(blob.Digest)));
        Assert.Empty(Directory.GetFiles(dir.Combine("cache", "ingest")));
    }

    /// <summary>A file with random content between a prefix and a suffix of other bytes, as a blob sits in a tar.</summary>
    private static (string Path, byte[] Content) WriteFramed(TempDir dir)
    {
        var content = new byte[ContentLength];
        new Random(11).NextBytes(content);
        string path = dir.Combine("archive.bin");
        using var f = File.Create(path);
        f.Write(new byte[Prefix]);
        f.Write(content);
        f.Write(new byte[777]);
        return (path, content);
    }

    /// <summary>A file range as archives hand it out; counts what is read through it and what is copied past it.</summary>
    private sealed class FileRegionStream(string path, long offset, long length) : Stream, IFileRegionStream
    {
        private readonly FileStream _file = new(path, FileMode.Open, FileAccess.Read, FileShare.Read);

        public long Advanced { get; private set; }

        public long BytesRead { get; private set; }

        public FileRegion? Region => new FileRegion(_file.SafeFileHandle, offset + Advanced + BytesRead, length - Advanced - BytesRead);

        public void Advance(long bytes) => Advanced += bytes;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => Advanced + BytesRead;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset1, int count)
        {
            int n = RandomAccess.Read(_file.SafeFileHandle, buffer.AsSpan(offset1, (int)Math.Min(count, length - Position)), offset + Position);
            BytesRead += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset1, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset1, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _file.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
