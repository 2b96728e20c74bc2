using Xpkg.Oci.Content;

namespace Xpkg.Packages.Locating;

/// <summary>
/// The content of <c>package.yaml</c> inside a layer. When the entry has been read to its end, the rest of
/// the layer blob is read too, so its digest is verified before the caller sees the final end of stream.
/// Disposing it closes the layer.
/// </summary>
public sealed class PackageStream : ReadOnlyStream
{
    private readonly Stream _entry;
    private readonly LayerStreams _layer;
    private bool _verified;

    internal PackageStream(Stream entry, LayerStreams layer, PackageLocation location)
    {
        _entry = entry;
        _layer = layer;
        Location = location;
    }

    public PackageLocation Location { get; }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = _entry.Read(buffer);
        if (n == 0 && buffer.Length > 0 && !_verified)
        {
            _layer.Verified.CopyTo(Stream.Null);
            _verified = true;
        }

        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await _entry.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n == 0 && buffer.Length > 0 && !_verified)
        {
            await _layer.VerifyRestAsync(cancellationToken).ConfigureAwait(false);
            _verified = true;
        }

        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _layer.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _layer.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
