using Xpkg.Oci;

namespace Xpkg.Store;

public sealed record GcResult(int Removed, long FreedBytes, int TemporaryFilesRemoved);

/// <summary>
/// Mark and sweep under the index lock. Blobs that a live writer may be about to reference (modified after
/// the oldest live lease began) survive, and so do in-progress ingests; abandoned ones are removed.
/// </summary>
public sealed class GarbageCollector(ContentStore store)
{
    private static readonly TimeSpan ClockSlack = TimeSpan.FromSeconds(2);

    public async Task<GcResult> CollectAsync(CancellationToken cancellationToken)
    {
        using var held = await store.References.LockAsync(cancellationToken).ConfigureAwait(false);
        DateTime cutoff = OldestLiveLease() - ClockSlack;

        var marked = new HashSet<Digest>();
        foreach (var entry in await store.References.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await foreach (var d in store.WalkAsync(entry.Root, cancellationToken).ConfigureAwait(false))
            {
                marked.Add(d.Digest);
            }
        }

        int removed = 0;
        long freed = 0;
        foreach (var algorithmDir in Directory.EnumerateDirectories(Path.Combine(store.Root, "blobs")))
        {
            string algorithm = Path.GetFileName(algorithmDir);
            foreach (var file in new DirectoryInfo(algorithmDir).EnumerateFiles())
            {
                cancellationToken.ThrowIfCancellationRequested();
                bool reachable = Digest.TryParse(algorithm + ":" + file.Name, out var digest) && marked.Contains(digest);
                if (reachable || file.LastWriteTimeUtc >= cutoff)
                {
                    continue;
                }

                long length = file.Length;
                ContentStore.TryDelete(file.FullName);
                removed++;
                freed += length;
            }
        }

        return new GcResult(removed, freed, RemoveAbandoned(store.IngestDirectory, "*.tmp") + RemoveStale(store.ScratchDirectory, "*.scratch"));
    }

    private DateTime OldestLiveLease()
    {
        DateTime oldest = DateTime.MaxValue;
        foreach (var lease in new DirectoryInfo(store.LeaseDirectory).EnumerateFiles())
        {
            using var probe = FileLock.TryAcquire(lease.FullName, FileMode.Open);
            if (probe is not null)
            {
                ContentStore.TryDelete(lease.FullName);
            }
            else if (lease.LastWriteTimeUtc < oldest)
            {
                oldest = lease.LastWriteTimeUtc;
            }
        }

        return oldest;
    }

    /// <summary>Scratch files are read by their owner through several handles, so they cannot be locked; age tells.</summary>
    private static int RemoveStale(string directory, string pattern)
    {
        int count = 0;
        foreach (var file in new DirectoryInfo(directory).EnumerateFiles(pattern))
        {
            if (file.LastWriteTimeUtc < DateTime.UtcNow.AddHours(-24))
            {
                ContentStore.TryDelete(file.FullName);
                count++;
            }
        }

        return count;
    }

    /// <summary>Deletes files no live process holds locked: what a killed ingest left behind.</summary>
    internal static int RemoveAbandoned(string directory, string pattern)
    {
        int count = 0;
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        foreach (var path in Directory.EnumerateFiles(directory, pattern))
        {
            FileLock? probe;
            try
            {
                probe = FileLock.TryAcquire(path, FileMode.Open);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            if (probe is null)
            {
                continue;
            }

            probe.Dispose();
            ContentStore.TryDelete(path);
            count++;
        }

        return count;
    }
}
