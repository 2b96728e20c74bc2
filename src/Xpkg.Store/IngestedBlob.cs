namespace Xpkg.Store;

/// <summary>A verified blob in <c>ingest/</c>, held open until it is committed into <c>blobs/</c> or discarded.</summary>
internal sealed class IngestedBlob(FileStream handle, string temp, string final) : IDisposable
{
    private bool _done;

    /// <summary>Renames the blob into place while still holding it, then lets go.</summary>
    public void Commit()
    {
        File.Move(temp, final, overwrite: true);
        _done = true;
        handle.Dispose();
    }

    public void Dispose()
    {
        handle.Dispose();
        if (!_done)
        {
            ContentStore.TryDelete(temp);
            _done = true;
        }
    }
}
