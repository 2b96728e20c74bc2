using Xpkg.Oci.Content;

namespace Xpkg.Oci.Archives;

/// <summary>A read-only window onto part of a file, with its own handle so windows can be read in parallel.</summary>
public sealed class RangeStream : ReadOnlyStream, IFileRegionStream
{
    private readonly FileStream _file;
    private readonly long _start;
    private readonly long _length;
    private long _position;

    public RangeStream(string path, long start, long length)
    {
        _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        _start = start;
        _length = length;
        _file.Position = start;
    }

    public override long Length => _length;

    public override long Position => _position;

    public FileRegion? Region => new FileRegion(_file.SafeFileHandle, _start + _position, _length - _position);

    public void Advance(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bytes, _length - _position);
        _position += bytes;
        _file.Position = _start + _position;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _file.Read(buffer[..Clamp(buffer.Length)]);
        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _file.ReadAsync(buffer[..Clamp(buffer.Length)], cancellationToken).ConfigureAwait(false);
        _position += n;
        return n;
    }

    private int Clamp(int requested) => (int)Math.Min(requested, _length - _position);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
        }

        base.Dispose(disposing);
    }
}
