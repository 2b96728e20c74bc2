using Xpkg.Oci.Content;

namespace Xpkg.Registry.Http;

/// <summary>Reads at most a fixed number of bytes from an inner stream (left open): an upload sends exactly the declared size.</summary>
internal sealed class BoundedReadStream : ReadOnlyStream
{
    private readonly Stream _inner;
    private long _remaining;

    public BoundedReadStream(Stream inner, long length)
    {
        _inner = inner;
        _remaining = length;
    }

    /// <summary>True once anything was read: the source cannot be replayed from then on.</summary>
    public bool Touched { get; private set; }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_remaining <= 0 || buffer.Length == 0)
        {
            return 0;
        }

        Touched = true;
        int n = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _remaining)], cancellationToken).ConfigureAwait(false);
        _remaining -= n;
        return n;
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_remaining <= 0 || count == 0)
        {
            return 0;
        }

        Touched = true;
        int n = _inner.Read(buffer, offset, (int)Math.Min(count, _remaining));
        _remaining -= n;
        return n;
    }
}
