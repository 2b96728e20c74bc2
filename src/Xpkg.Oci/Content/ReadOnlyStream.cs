namespace Xpkg.Oci.Content;

/// <summary>
/// The members every forward-only, read-only stream answers the same way, so that its subclasses hold only
/// what they really do. <see cref="ReadAsync(Memory{byte}, CancellationToken)"/> is abstract and the array
/// overload forwards to it, so no asynchronous read falls back to Stream's slow path. The synchronous
/// <see cref="Stream.Read(byte[], int, int)"/> stays abstract: a subclass either forwards it to its own
/// <see cref="Stream.Read(Span{byte})"/> or blocks on its asynchronous read.
/// </summary>
public abstract class ReadOnlyStream : Stream
{
    public sealed override bool CanRead => true;
    public sealed override bool CanSeek => false;
    public sealed override bool CanWrite => false;

    /// <summary>Unknown unless a subclass knows it.</summary>
    public override long Length => throw new NotSupportedException();

    /// <summary>A subclass may report how far it has read; setting it is never supported.</summary>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public sealed override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public sealed override void SetLength(long value) => throw new NotSupportedException();
    public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
