using System.Buffers;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Store;

/// <summary>
/// A blob being ingested that readers may follow while it is written, as a pull-through mirror serves a blob
/// while it fetches it. Written to <c>ingest/</c> (held open and locked, so <c>cache gc</c> leaves it alone),
/// hashed as it arrives, and renamed into <c>blobs/</c> only once size and digest check out. Readers read the
/// same open file at their own offsets; the last byte is released to them only after verification, so no
/// reader ever receives a complete copy of wrong content. The file handle closes when the writer and every
/// reader are done.
/// </summary>
public sealed class GrowingBlob
{
    private readonly ContentStore _store;
    private readonly string _temp;
    private readonly FileStream _file;
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _progress = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _written;
    private int _holders = 1;

    private GrowingBlob(ContentStore store, Descriptor descriptor, string temp, FileStream file)
    {
        _store = store;
        Descriptor = descriptor;
        _temp = temp;
        _file = file;
    }

    public Descriptor Descriptor { get; }

    /// <summary>Completes when the blob is in the store; faults when the content was wrong or could not be read.</summary>
    public Task Completion => _completion.Task;

    public static GrowingBlob Create(ContentStore store, Descriptor descriptor)
    {
        string temp = Path.Combine(store.IngestDirectory, descriptor.Digest.Encoded[..12] + "-" + Guid.NewGuid().ToString("N") + ".tmp");
        var file = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        return new GrowingBlob(store, descriptor, temp, file);
    }

    /// <summary>Reads <paramref name="source"/> to its end into the file, verifies it and commits it; never throws (see <see cref="Completion"/>).</summary>
    public async Task FillAsync(Stream source, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(ContentStore.BufferSize);
        try
        {
            var verifying = new VerifyingStream(source, Descriptor.Digest, Descriptor.Size, leaveOpen: true);
            await using (verifying.ConfigureAwait(false))
            {
                int n;
                while ((n = await verifying.ReadAsync(buffer.AsMemory(0, ContentStore.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    await RandomAccess.WriteAsync(_file.SafeFileHandle, buffer.AsMemory(0, n), _written, cancellationToken).ConfigureAwait(false);
                    Volatile.Write(ref _written, _written + n);
                    Pulse();
                }
            }

            _file.Flush(flushToDisk: true);
            string final = _store.BlobPath(Descriptor.Digest);
            Directory.CreateDirectory(Path.GetDirectoryName(final)!);

            // Renamed while still open, as every ingest is: the path appears only complete.
            File.Move(_temp, final, overwrite: true);
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            ContentStore.TryDelete(_temp);
            _completion.TrySetException(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            Pulse();
            Release();
        }
    }

    /// <summary>Gives up before any content arrived (the source could not be opened): readers see <paramref name="reason"/>.</summary>
    public void Abandon(Exception reason)
    {
        ContentStore.TryDelete(_temp);
        _completion.TrySetException(reason);
        Pulse();
        Release();
    }

    /// <summary>
    /// A stream of the blob from <paramref name="offset"/> to its end that waits for bytes not yet written, or
    /// null when the fill is over and every reader gone (the blob is then in the store, or it failed).
    /// </summary>
    public Stream? TryOpenReader(long offset)
    {
        int holders = Volatile.Read(ref _holders);
        while (holders > 0)
        {
            int seen = Interlocked.CompareExchange(ref _holders, holders + 1, holders);
            if (seen == holders)
            {
                return new Reader(this, offset);
            }

            holders = seen;
        }

        return null;
    }

    private void Pulse() => Interlocked.Exchange(ref _progress, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    private void Release()
    {
        if (Interlocked.Decrement(ref _holders) == 0)
        {
            _file.Dispose();
        }
    }

    /// <summary>Bytes a reader may have: all of them once verified, else all but the last.</summary>
    private long Readable => _completion.Task.IsCompletedSuccessfully ? Descriptor.Size : Math.Min(Volatile.Read(ref _written), Descriptor.Size - 1);

    private async ValueTask<int> ReadAtAsync(long position, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var progress = Volatile.Read(ref _progress);
            if (position >= Descriptor.Size)
            {
                return 0;
            }

            long available = Readable - position;
            if (available > 0)
            {
                return await RandomAccess.ReadAsync(_file.SafeFileHandle, buffer[..(int)Math.Min(buffer.Length, available)], position, cancellationToken).ConfigureAwait(false);
            }

            if (_completion.Task.IsFaulted)
            {
                throw new IOException($"fetching {Descriptor.Digest} failed: {_completion.Task.Exception!.InnerException!.Message}", _completion.Task.Exception.InnerException);
            }

            await progress.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private sealed class Reader(GrowingBlob blob, long position) : ReadOnlyStream
    {
        private bool _released;

        public override long Length => blob.Descriptor.Size;

        public override long Position => position;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            int n = await blob.ReadAtAsync(position, buffer, cancellationToken).ConfigureAwait(false);
            position += n;
            return n;
        }

        public override int Read(byte[] buffer, int offset, int count)
            => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_released)
            {
                _released = true;
                blob.Release();
            }

            base.Dispose(disposing);
        }
    }
}
