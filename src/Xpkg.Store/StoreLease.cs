namespace Xpkg.Store;

/// <summary>
/// A marker that this process is writing to the store. Its file is locked while the process lives; garbage
/// collection keeps every blob modified after the oldest live lease began, and removes leases of dead processes.
/// </summary>
public sealed class StoreLease : IDisposable
{
    private readonly FileLock _lock;
    private readonly string _path;

    private StoreLease(FileLock held, string path)
    {
        _lock = held;
        _path = path;
    }

    internal static async Task<StoreLease> CreateAsync(ContentStore store, CancellationToken cancellationToken)
    {
        // Taken under the index lock so a lease never appears in the middle of a collection.
        using var indexLock = await store.References.LockAsync(cancellationToken).ConfigureAwait(false);
        string path = Path.Combine(store.LeaseDirectory, Environment.ProcessId + "-" + Guid.NewGuid().ToString("N"));
        var held = FileLock.TryAcquire(path, FileMode.CreateNew) ?? throw new IOException($"cannot create lease {path}");
        return new StoreLease(held, path);
    }

    public void Dispose()
    {
        _lock.Dispose();
        ContentStore.TryDelete(_path);
    }
}
