using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Store;

/// <summary>
/// The local cache: an OCI image layout (<c>oci-layout</c>, <c>index.json</c>, <c>blobs/&lt;alg&gt;/&lt;hex&gt;</c>)
/// plus <c>ingest/</c> for blobs being written and <c>leases/</c> for processes that are writing.
/// A blob path exists only once its content is complete and verified.
/// </summary>
public sealed class ContentStore : IContentSource, IContentTarget, IReferrersSource
{
    internal const int BufferSize = 1 << 20;

    private ContentStore(string root)
    {
        Root = root;
        References = new ReferenceIndex(root);
    }

    public string Root { get; }

    public ReferenceIndex References { get; }

    public string Description => "the cache";

    public int MaxParallelWrites => 16;

    internal string IngestDirectory => Path.Combine(Root, "ingest");

    /// <summary>Where large temporary files go (decompressed archives): on the cache's file system, not in RAM.</summary>
    public string ScratchDirectory => IngestDirectory;

    internal string LeaseDirectory => Path.Combine(Root, "leases");

    /// <summary>
    /// The store at <paramref name="root"/> for commands that only read: creates nothing, so a cache that does not
    /// exist yet stays missing and reads as empty. Write through <see cref="Open"/>, which lays the store out.
    /// </summary>
    public static ContentStore OpenForReading(string root) => new(Path.GetFullPath(root));

    /// <summary>Opens (creating when needed) the store at <paramref name="root"/>.</summary>
    public static ContentStore Open(string root)
    {
        root = Path.GetFullPath(root);
        Directory.CreateDirectory(Path.Combine(root, "blobs", Digest.Sha256));
        Directory.CreateDirectory(Path.Combine(root, "ingest"));
        Directory.CreateDirectory(Path.Combine(root, "leases"));
        string marker = Path.Combine(root, "oci-layout");
        if (!File.Exists(marker))
        {
            AtomicFile.WriteAsync(marker, s => s.WriteAsync("{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray()).AsTask(), CancellationToken.None)
                .GetAwaiter().GetResult();
        }

        return new ContentStore(root);
    }

    public string BlobPath(Digest digest) => Path.Combine(Root, "blobs", digest.Algorithm, digest.Encoded);

    /// <summary>True when the blob is present with the expected size (content was verified when it was written).</summary>
    public bool Contains(Descriptor descriptor)
    {
        var info = new FileInfo(BlobPath(descriptor.Digest));
        return info.Exists && info.Length == descriptor.Size;
    }

    public Task<bool> ExistsAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        bool present = Contains(descriptor);
        if (present)
        {
            // A blob a writer decided to reuse must look recent to a concurrent garbage collection.
            Touch(descriptor.Digest);
        }

        return Task.FromResult(present);
    }

    public Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        try
        {
            Stream s = new FileStream(BlobPath(descriptor.Digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
            return Task.FromResult(s);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ContentNotFoundException(descriptor.Digest, Description);
        }
    }

    /// <summary>Reads a manifest or config into memory, bounded and verified.</summary>
    public async Task<byte[]> ReadSmallBlobAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (descriptor.Size > ParsedManifest.MaxBytes)
        {
            throw new InvalidInputException($"{descriptor.Digest} is {descriptor.Size} bytes, too large to read as a manifest or config");
        }

        var stream = await OpenAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[descriptor.Size];
            var verifying = new VerifyingStream(stream, descriptor.Digest, descriptor.Size, leaveOpen: true);
            await using (verifying.ConfigureAwait(false))
            {
                await verifying.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
                _ = await verifying.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
            }

            return buffer;
        }
    }

    /// <summary>
    /// Ingests a blob: written to <c>ingest/</c> while hashed, checked against the descriptor, flushed to disk,
    /// then renamed into place. Two writers of one digest each rename a complete copy, so either wins.
    /// </summary>
    public async Task WriteAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        if (Contains(descriptor))
        {
            Touch(descriptor.Digest);
            return;
        }

        var staged = await IngestAsync(descriptor, content, cancellationToken).ConfigureAwait(false);
        staged.Commit();
    }

    /// <summary>
    /// Writes and verifies a blob into <c>ingest/</c> without making it visible. The file stays open and locked
    /// until committed or discarded, so garbage collection never takes it for abandoned.
    /// </summary>
    internal async Task<IngestedBlob> IngestAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        string final = BlobPath(descriptor.Digest);
        Directory.CreateDirectory(Path.GetDirectoryName(final)!);
        string temp = Path.Combine(IngestDirectory, descriptor.Digest.Encoded[..12] + "-" + Guid.NewGuid().ToString("N") + ".tmp");
        var region = KernelCopy.RegionOf(content, descriptor);
        var output = new FileStream(temp, FileMode.CreateNew, region is null ? FileAccess.Write : FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
        try
        {
            if (region is null || !await KernelCopy.TryCopyAsync((IFileRegionStream)content, region.Value, output, descriptor, cancellationToken).ConfigureAwait(false))
            {
                var verifying = new VerifyingStream(content, descriptor.Digest, descriptor.Size, leaveOpen: true);
                await using (verifying.ConfigureAwait(false))
                {
                    await OverlappedWriter.CopyAsync(verifying.ReadAsync, output, 0, cancellationToken).ConfigureAwait(false);
                }
            }

            await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            output.Flush(flushToDisk: true);
            return new IngestedBlob(output, temp, final);
        }
        catch
        {
            await output.DisposeAsync().ConfigureAwait(false);
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// <see cref="IReferrersSource"/>: the manifests the cache names (pulled with referrers, or pushed to
    /// <c>xpkg serve</c>) whose <c>subject</c> is <paramref name="subject"/>. Reads every named manifest: a scan, not an index.
    /// </summary>
    public async Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken)
    {
        var found = new List<Descriptor>();
        foreach (var entry in (await References.ReadAsync(cancellationToken).ConfigureAwait(false)).DistinctBy(e => e.Root.Digest))
        {
            if (entry.Root.Digest == subject || !MediaTypes.IsManifest(entry.Root.MediaType) || !Contains(entry.Root))
            {
                continue;
            }

            var parsed = ParsedManifest.Parse(await ReadSmallBlobAsync(entry.Root, cancellationToken).ConfigureAwait(false), entry.Root.MediaType);
            if (parsed.Subject?.Digest == subject)
            {
                found.Add(entry.Root with { ArtifactType = parsed.ArtifactType ?? (parsed.IsIndex ? null : parsed.Config?.MediaType) });
            }
        }

        return found;
    }

    /// <summary>A copy target that makes nothing visible until it is committed: a failed load leaves the store as it was.</summary>
    public StoreTransaction BeginTransaction() => new(this);

    public async Task TagAsync(string? reference, Descriptor root, string source, CancellationToken cancellationToken)
    {
        long size = await ReachableSizeAsync(root, cancellationToken).ConfigureAwait(false);
        var entry = new StoredReference
        {
            Reference = reference,
            Root = root with { Annotations = null },
            Source = source,
            ResolvedAt = DateTimeOffset.UtcNow,
            TotalSize = size,
        };
        await References.UpdateAsync(entries =>
        {
            int existing = reference is null
                ? entries.FindIndex(e => e.Reference is null && e.Root.Digest == root.Digest)
                : entries.FindIndex(e => e.Reference == reference);
            if (existing >= 0)
            {
                entries[existing] = entry;
            }
            else
            {
                entries.Add(entry);
            }

            // A name given to an image known only by digest replaces that anonymous entry.
            if (reference is not null)
            {
                entries.RemoveAll(e => e.Reference is null && e.Root.Digest == root.Digest);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the root and everything it reaches is in the store (an index may be sparse).</summary>
    public async Task<bool> IsCompleteAsync(Descriptor root, CancellationToken cancellationToken)
    {
        if (!Contains(root))
        {
            return false;
        }

        if (!MediaTypes.IsManifest(root.MediaType))
        {
            return true;
        }

        var parsed = ParsedManifest.Parse(await ReadSmallBlobAsync(root, cancellationToken).ConfigureAwait(false), root.MediaType);
        if (parsed.IsIndex)
        {
            // An index is usable when at least one of its manifests is complete.
            foreach (var child in parsed.Manifests)
            {
                if (await IsCompleteAsync(child, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }

            return parsed.Manifests.Count == 0;
        }

        return parsed.Children.All(Contains);
    }

    /// <summary>Walks from a root through the manifests the store holds, yielding every descriptor reached.</summary>
    public async IAsyncEnumerable<Descriptor> WalkAsync(Descriptor root, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var pending = new Stack<Descriptor>();
        var seen = new HashSet<Digest>();
        pending.Push(root);
        while (pending.Count > 0)
        {
            var d = pending.Pop();
            if (!seen.Add(d.Digest))
            {
                continue;
            }

            yield return d;
            if (MediaTypes.IsManifest(d.MediaType) && Contains(d))
            {
                var parsed = ParsedManifest.Parse(await ReadSmallBlobAsync(d, cancellationToken).ConfigureAwait(false), d.MediaType);
                foreach (var child in parsed.Children)
                {
                    pending.Push(child);
                }
            }
        }
    }

    private async Task<long> ReachableSizeAsync(Descriptor root, CancellationToken cancellationToken)
    {
        long total = 0;
        await foreach (var d in WalkAsync(root, cancellationToken).ConfigureAwait(false))
        {
            if (Contains(d))
            {
                total += d.Size;
            }
        }

        return total;
    }

    /// <summary>Registers this process as a writer, so garbage collection spares what it writes or reuses.</summary>
    public Task<StoreLease> BeginLeaseAsync(CancellationToken cancellationToken) => StoreLease.CreateAsync(this, cancellationToken);

    internal void Touch(Digest digest)
    {
        try
        {
            File.SetLastWriteTimeUtc(BlobPath(digest), DateTime.UtcNow);
        }
        catch (IOException)
        {
            // Gone in the meantime: the caller's existence check will fail next time and re-fetch.
        }
        catch (UnauthorizedAccessException)
        {
            // A read-only cache still serves reads; it just cannot protect reuse against a concurrent gc.
        }
    }

    internal static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
