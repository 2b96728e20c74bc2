using Xpkg.Oci.Content;

namespace Xpkg.Transfer;

/// <summary>
/// Counts bytes read through it (or copied past it, for a file region), for progress displays. A target can
/// start the content over (<see cref="IReopenableStream"/>) through <paramref name="reopen"/>; the new stream
/// counts too.
/// </summary>
internal sealed class ProgressStream(Stream inner, Action<long> onRead, Func<CancellationToken, Task<Stream>> reopen)
    : ReadOnlyStream, IFileRegionStream, IReopenableStream
{
    public override long Length => inner.Length;

    public override long Position => inner.Position;

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

    private int Count(int n)
    {
        if (n > 0)
        {
            onRead(n);
        }

        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
