using System.IO.Compression;
using Xpkg.Oci;
using Xpkg.Oci.Content;
using ZstdSharp;

namespace Xpkg.Packages.Locating;

/// <summary>
/// Opens a layer as an uncompressed tar stream while verifying its size and digest. The compression is
/// sniffed from the first bytes rather than trusted from the media type: archives written by some tools
/// label gzip layers as plain tar and the other way round.
/// </summary>
internal sealed class LayerStreams : IAsyncDisposable
{
    private static readonly byte[] GzipMagic = [0x1f, 0x8b];
    private static readonly byte[] ZstdMagic = [0x28, 0xb5, 0x2f, 0xfd];

    private bool _disposed;

    private LayerStreams(VerifyingStream verified, Stream uncompressed)
    {
        Verified = verified;
        Uncompressed = uncompressed;
    }

    /// <summary>The raw blob, hashed as it is read.</summary>
    public VerifyingStream Verified { get; }

    /// <summary>The tar stream.</summary>
    public Stream Uncompressed { get; }

    public static async Task<LayerStreams> OpenAsync(IContentSource source, Descriptor layer, CancellationToken cancellationToken)
    {
        var raw = await source.OpenAsync(layer, cancellationToken).ConfigureAwait(false);
        var verified = new VerifyingStream(raw, layer.Digest, layer.Size);
        try
        {
            byte[] head = new byte[4];
            int n = await verified.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            var prefixed = new PrefixedStream(head.AsMemory(0, n), verified);
            Stream uncompressed = head.AsSpan(0, n).StartsWith(GzipMagic) ? new GZipStream(prefixed, CompressionMode.Decompress)
                : head.AsSpan(0, n).StartsWith(ZstdMagic) ? new DecompressionStream(prefixed)
                : prefixed;
            return new LayerStreams(verified, uncompressed);
        }
        catch
        {
            await verified.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Reads whatever of the blob is left so that its digest is checked even when the tar was not read to
    /// the end; a mismatch throws <see cref="DigestMismatchException"/>.
    /// </summary>
    public Task VerifyRestAsync(CancellationToken cancellationToken) => Verified.CopyToAsync(Stream.Null, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        await Uncompressed.DisposeAsync().ConfigureAwait(false);
        await Verified.DisposeAsync().ConfigureAwait(false);
    }
}
