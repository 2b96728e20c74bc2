using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Store;

/// <summary>
/// The cache's references, kept as the <c>index.json</c> of an OCI image layout so other OCI tools can read
/// the cache directly. Readers read the file as it is (it is replaced by rename, never rewritten in place);
/// writers serialise on a lock file and replace the whole file.
/// </summary>
public sealed class ReferenceIndex
{
    private static readonly TimeSpan LockTimeout = TimeSpan.FromSeconds(60);
    private readonly string _path;
    private readonly string _lockPath;

    internal ReferenceIndex(string root)
    {
        _path = Path.Combine(root, "index.json");
        _lockPath = Path.Combine(root, "index.lock");
    }

    public async Task<IReadOnlyList<StoredReference>> ReadAsync(CancellationToken cancellationToken)
    {
        var doc = await ReadDocumentAsync(cancellationToken).ConfigureAwait(false);
        return doc.Manifests.Select(StoredReference.FromIndexDescriptor).ToList();
    }

    /// <summary>The entry for a normalised reference, if any.</summary>
    public async Task<StoredReference?> FindAsync(string reference, CancellationToken cancellationToken)
        => (await ReadAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(r => r.Reference == reference);

    /// <summary>Runs <paramref name="mutate"/> on the entries under the lock and saves them when it returns true.</summary>
    public async Task UpdateAsync(Func<List<StoredReference>, bool> mutate, CancellationToken cancellationToken)
    {
        using var held = await LockAsync(cancellationToken).ConfigureAwait(false);
        var doc = await ReadDocumentAsync(cancellationToken).ConfigureAwait(false);
        var entries = doc.Manifests.Select(StoredReference.FromIndexDescriptor).ToList();
        if (!mutate(entries))
        {
            return;
        }

        doc.Manifests = entries.Select(e => e.ToIndexDescriptor()).ToList();
        // Written synchronously, as it is read: the async serializer would load System.IO.Pipelines for one small file.
        await AtomicFile.WriteAsync(_path, stream =>
        {
            JsonSerializer.Serialize(stream, doc, OciJsonContext.Relaxed.OciIndexDocument);
            return Task.CompletedTask;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The writers' lock; garbage collection holds it so no reference appears while it sweeps.</summary>
    internal Task<FileLock> LockAsync(CancellationToken cancellationToken)
        => FileLock.AcquireAsync(_lockPath, LockTimeout, cancellationToken);

    // A synchronous read of one small file: cheaper at start-up than the async deserializer's machinery.
    private Task<OciIndexDocument> ReadDocumentAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(_path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Task.FromResult(new OciIndexDocument());
        }

        try
        {
            return Task.FromResult(JsonSerializer.Deserialize(bytes, OciJsonContext.Default.OciIndexDocument) ?? new OciIndexDocument());
        }
        catch (JsonException e)
        {
            throw new XpkgException($"the cache's reference index {_path} is not valid JSON: {e.Message}",
                "restore it from a backup, or remove it and load the images again (blobs are kept)");
        }
    }
}
