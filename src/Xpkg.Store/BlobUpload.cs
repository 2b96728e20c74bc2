using System.Buffers;
using System.Security.Cryptography;
using Xpkg.Oci;

namespace Xpkg.Store;

/// <summary>
/// A blob that arrives in pieces over time, as a registry upload session does: appended to a file in
/// <c>ingest/</c>, hashed as it grows, and renamed into <c>blobs/</c> only once its digest checks out.
/// The file stays open and locked for the whole session, so garbage collection leaves it alone while the
/// session lives and removes it once the owning process is gone.
/// </summary>
public sealed class BlobUpload : IAsyncDisposable
{
    private const int BufferSize = ContentStore.BufferSize;
    private readonly ContentStore _store;
    private readonly string _path;
    private readonly FileStream _file;
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

    // False after a failed append: the running hash may have seen bytes that were then cut off.
    private bool _hashInSync = true;
    private bool _finished;

    private BlobUpload(ContentStore store, string path, FileStream file)
    {
        _store = store;
        _path = path;
        _file = file;
    }

    /// <summary>Bytes received so far.</summary>
    public long Length => _file.Length;

    public static BlobUpload Create(ContentStore store)
    {
        string path = Path.Combine(store.IngestDirectory, "upload-" + Guid.NewGuid().ToString("N") + ".tmp");
        var file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        return new BlobUpload(store, path, file);
    }

    /// <summary>
    /// Appends everything <paramref name="source"/> yields, or exactly <paramref name="expectedLength"/> bytes
    /// when given (more or fewer is a <see cref="DigestMismatchException"/>). On any failure the upload is cut
    /// back to where it was, so a retried chunk starts from a known length.
    /// </summary>
    public async Task<long> AppendAsync(Stream source, long? expectedLength, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        long start = _file.Length;
        long copied = 0;

        // Network reads return a few kilobytes at a time: each buffer is filled before it is hashed and written,
        // so both work on large blocks, and the write of one overlaps the receiving and hashing of the next.
        async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct)
        {
            int n = await FillAsync(source, buffer, ct).ConfigureAwait(false);
            copied += n;
            if (expectedLength is { } limit && copied > limit)
            {
                throw new DigestMismatchException($"chunk is longer than its declared {limit} bytes");
            }

            _sha256.AppendData(buffer.Span[..n]);
            return n;
        }

        try
        {
            await OverlappedWriter.CopyAsync(ReadAsync, _file, start, cancellationToken).ConfigureAwait(false);
            if (expectedLength is { } expected && copied != expected)
            {
                throw new DigestMismatchException($"chunk has {copied} bytes, {expected} were declared");
            }

            return copied;
        }
        catch
        {
            if (copied > 0)
            {
                _hashInSync = false;
            }

            _file.SetLength(start);
            throw;
        }
    }

    private static async Task<int> FillAsync(Stream source, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int filled = 0;
        while (filled < buffer.Length)
        {
            int n = await source.ReadAsync(buffer[filled..], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            filled += n;
        }

        return filled;
    }

    /// <summary>
    /// Checks the content against <paramref name="expected"/>, flushes it to disk and moves it into the store.
    /// Throws <see cref="DigestMismatchException"/> (and keeps the upload) when the content is something else.
    /// </summary>
    public async Task<Descriptor> CommitAsync(Digest expected, string mediaType, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var actual = await ComputeDigestAsync(expected.Algorithm, cancellationToken).ConfigureAwait(false);
        if (actual != expected)
        {
            throw new DigestMismatchException($"digest mismatch: expected {expected}, content is {actual}");
        }

        var descriptor = new Descriptor { MediaType = mediaType, Digest = expected, Size = _file.Length };
        string final = _store.BlobPath(expected);
        if (_store.Contains(descriptor))
        {
            _store.Touch(expected);
            await DisposeAsync().ConfigureAwait(false);
            return descriptor;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        _file.Flush(flushToDisk: true);

        // Renamed while still open and locked, as ContentStore.WriteAsync does, so it is never seen half-done.
        File.Move(_path, final, overwrite: true);
        _finished = true;
        await _file.DisposeAsync().ConfigureAwait(false);
        _sha256.Dispose();
        return descriptor;
    }

    private async Task<Digest> ComputeDigestAsync(string algorithm, CancellationToken cancellationToken)
    {
        if (algorithm == Digest.Sha256 && _hashInSync)
        {
            return Digest.FromHash(algorithm, _sha256.GetCurrentHash());
        }

        using var hash = IncrementalHash.CreateHash(algorithm == Digest.Sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            _file.Position = 0;
            int n;
            while ((n = await _file.ReadAsync(buffer.AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
            }

            return Digest.FromHash(algorithm, hash.GetHashAndReset());
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Discards an upload that was not committed.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_finished)
        {
            return;
        }

        _finished = true;
        await _file.DisposeAsync().ConfigureAwait(false);
        _sha256.Dispose();
        ContentStore.TryDelete(_path);
    }
}
