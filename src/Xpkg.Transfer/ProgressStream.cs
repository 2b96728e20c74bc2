using Xpkg.Oci.Content;

namespace Xpkg.Transfer;

/// <summary>
/// Counts bytes read through it (or copied past it, for a file region), for progress displays. A target can
/// start the content over (<see cref="IReopenableStream"/>) through <paramref name="reopen"/>; the new stream
/// counts too.
/// </summary>
internal sealed class ProgressStream(Stream inner, Action<long> onRead, Func<CancellationToken, Task<Stream>> reopen)
    : Stream, IFileRegionStream, IReopenableStream
{
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => inner.Length;

    public override long Position
    {
        get => inner.Position;
        set => throw new NotSupportedException();
    }

    public FileRegion? Region => (inner as IFileRegionStream)?.Region;

    public async Task<Stream> ReopenAsync(CancellationToken cancellationToken)
        => new ProgressStream(await reopen(cancellationToken).ConfigureAwait(false), onRead, reopen);

    public void Advance(long bytes)
    {
        ((IFileRegionStream)inner).Advance(bytes);
        if (bytes > 0)
        {
            onRead(bytes);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

    public override int Read(Span<byte> buffer) => Count(inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        => Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private int Count(int n)
    {
        if (n > 0)
        {
            onRead(n);
        }

        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
