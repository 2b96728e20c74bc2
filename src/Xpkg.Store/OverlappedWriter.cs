using System.Buffers;

namespace Xpkg.Store;

/// <summary>
/// Writes what a reader produces into a file with two buffers: while one is written to disk on a pool thread,
/// the next is read (and hashed, by whoever reads) here, so hashing and writing overlap instead of taking turns.
/// Dirty pages are handed to the kernel for writeback every few megabytes, so the fsync that ends every ingest
/// waits only for the tail.
/// </summary>
internal static class OverlappedWriter
{
    private const long WritebackChunk = 8L << 20;

    /// <summary>
    /// Calls <paramref name="read"/> with 1 MiB buffers until it returns 0 and writes each piece at
    /// <paramref name="offset"/> onwards; returns the bytes written. Every write has finished when this returns or throws.
    /// </summary>
    public static async Task<long> CopyAsync(Func<Memory<byte>, CancellationToken, ValueTask<int>> read, FileStream output, long offset, CancellationToken cancellationToken)
    {
        var pool = ArrayPool<byte>.Shared;
        byte[] current = pool.Rent(ContentStore.BufferSize);
        byte[] spare = pool.Rent(ContentStore.BufferSize);
        Task pending = Task.CompletedTask;
        try
        {
            var handle = output.SafeFileHandle;
            long written = 0;
            long flushed = 0;
            int n;
            while ((n = await read(current.AsMemory(0, ContentStore.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                await pending.ConfigureAwait(false);
                if (written - flushed >= WritebackChunk)
                {
                    Writeback.Start(handle, offset + flushed, written - flushed);
                    flushed = written;
                }

                byte[] chunk = current;
                long at = offset + written;
                int length = n;
                pending = Task.Run(() => RandomAccess.Write(handle, chunk.AsSpan(0, length), at), cancellationToken);
                written += n;
                (current, spare) = (spare, current);
            }

            await pending.ConfigureAwait(false);
            return written;
        }
        finally
        {
            // A write may still be using a buffer when the read failed: let it finish before the buffers go back.
            try
            {
                await pending.ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
            }

            pool.Return(current);
            pool.Return(spare);
        }
    }
}
