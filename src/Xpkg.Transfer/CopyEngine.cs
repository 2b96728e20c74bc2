using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Transfer;

/// <summary>
/// The one copy between ends. Walks from a root (index → manifests → config and layers), skips what the
/// target has, moves the rest in parallel, and writes children before parents, so the target never holds
/// a manifest whose content is missing. Targets verify every blob as it is written. With
/// <see cref="CopyOptions.ReferrersDepth"/>, the referrers of every manifest copied follow, each after its subject.
/// </summary>
public sealed class CopyEngine
{
    private readonly IContentSource _source;
    private readonly IContentTarget _target;
    private readonly CopyOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<Digest, Lazy<Task>> _blobs = new();
    private readonly ConcurrentBag<Descriptor> _missing = [];
    private readonly ConcurrentQueue<Descriptor> _manifests = new();
    private readonly ConcurrentDictionary<Digest, byte> _referred = new();
    private readonly ConcurrentQueue<Descriptor> _referrers = new();
    private int _copied;
    private int _skipped;
    private long _bytes;

    private CopyEngine(IContentSource source, IContentTarget target, CopyOptions options)
    {
        _source = source;
        _target = target;
        _options = options;
        _slots = new SemaphoreSlim(Math.Max(1, Math.Min(options.Jobs, target.MaxParallelWrites)));
    }

    public static async Task<CopyResult> CopyAsync(IContentSource source, Descriptor root, IContentTarget target, CopyOptions options, CancellationToken cancellationToken)
    {
        if (options.ReferrersDepth > 0 && source is not IReferrersSource { ListsReferrers: true })
        {
            throw new XpkgException($"{source.Description} cannot list referrers", "referrers come from a registry or from the cache (a tarball or layout has no index of them)", ExitCodes.BadInput);
        }

        if (options.ReferrersDepth > 0 && target is not IReferrersTarget)
        {
            throw new XpkgException($"{target.Description} cannot record referrers", "copy referrers into a registry or the cache", ExitCodes.BadInput);
        }

        var engine = new CopyEngine(source, target, options);
        try
        {
            await engine.CopyNodeAsync(root, isIndexChild: false, subject: null, cancellationToken).ConfigureAwait(false);
            foreach (var manifest in engine._manifests.ToList())
            {
                await engine.CopyReferrersAsync(manifest, 1, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            engine._slots.Dispose();
        }

        return new CopyResult(root, engine._copied, engine._skipped, engine._bytes, engine._missing.ToList()) { Referrers = [.. engine._referrers] };
    }

    /// <summary>Reads a manifest from a source into memory: bounded, and verified against its descriptor.</summary>
    public static async Task<byte[]> ReadManifestAsync(IContentSource source, Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (descriptor.Size > ParsedManifest.MaxBytes || descriptor.Size < 0)
        {
            throw new InvalidInputException($"manifest {descriptor.Digest} declares {descriptor.Size} bytes, outside the accepted range");
        }

        var stream = await source.OpenAsync(descriptor, cancellationToken).ConfigureAwait(false);
        var verifying = new VerifyingStream(stream, descriptor.Digest, descriptor.Size);
        await using (verifying.ConfigureAwait(false))
        {
            var bytes = new byte[descriptor.Size];
            try
            {
                await verifying.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            }
            catch (EndOfStreamException)
            {
                throw new DigestMismatchException($"manifest {descriptor.Digest} from {source.Description} is truncated");
            }

            _ = await verifying.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
            return bytes;
        }
    }

    /// <summary>Copies a manifest and what it reaches; <paramref name="subject"/> is the manifest a referrer must name.</summary>
    private async Task CopyNodeAsync(Descriptor node, bool isIndexChild, Digest? subject, CancellationToken cancellationToken)
    {
        if (!MediaTypes.IsManifest(node.MediaType))
        {
            await CopyBlobAsync(node, cancellationToken).ConfigureAwait(false);
            return;
        }

        bool present = await _target.ExistsAsync(node, cancellationToken).ConfigureAwait(false);
        if (present && !MediaTypes.IsIndex(node.MediaType) && subject is null)
        {
            _manifests.Enqueue(node);
            // Children are always written before their manifest, so a present image manifest is complete.
            Interlocked.Increment(ref _skipped);
            _options.Observer.BlobSkipped(node, "already present");
            return;
        }

        byte[] bytes;
        try
        {
            bytes = await ReadManifestAsync(_source, node, cancellationToken).ConfigureAwait(false);
        }
        catch (ContentNotFoundException) when (isIndexChild && _options.AllowSparseIndex)
        {
            _missing.Add(node);
            _options.Observer.BlobSkipped(node, "not in the source");
            return;
        }

        var parsed = ParsedManifest.Parse(bytes, node.MediaType);
        if (subject is not null && parsed.Subject?.Digest != subject)
        {
            throw new DigestMismatchException($"{_source.Description} lists {node.Digest} as a referrer of {subject}, but its subject is {parsed.Subject?.Digest.ToString() ?? "absent"}; it was not copied");
        }

        if (subject is null)
        {
            _manifests.Enqueue(node);
        }

        if (parsed.IsIndex)
        {
            var children = PlatformSelection.Select(node.Digest.ToString(), parsed, _options.Platforms);
            int missingBefore = _missing.Count;
            foreach (var child in children)
            {
                await CopyNodeAsync(child, isIndexChild: true, subject: null, cancellationToken).ConfigureAwait(false);
            }

            if (children.Count > 0 && _missing.Count - missingBefore == children.Count)
            {
                throw new ContentNotFoundException(children[0].Digest, _source.Description + " (none of the manifests of index " + node.Digest + ")");
            }
        }
        else
        {
            await Task.WhenAll(parsed.Children.Select(c => CopyBlobAsync(c, cancellationToken))).ConfigureAwait(false);
        }

        if (!present)
        {
            await WriteManifestAsync(node, bytes, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes a manifest after its children. A target that moved meanwhile (<see cref="MissingAtTargetException"/>)
    /// gets the children it lacks again, bypassing the record of what was copied, and the manifest once more.
    /// </summary>
    private async Task WriteManifestAsync(Descriptor node, byte[] bytes, CancellationToken cancellationToken)
    {
        Task Write() => WriteAsync(node, new MemoryStream(bytes, writable: false), _ => Task.FromResult<Stream>(new MemoryStream(bytes, writable: false)), cancellationToken);
        try
        {
            await Write().ConfigureAwait(false);
        }
        catch (MissingAtTargetException e)
        {
            foreach (var manifest in e.Missing.Where(m => MediaTypes.IsManifest(m.MediaType)))
            {
                await CopyNodeAsync(manifest, isIndexChild: true, subject: null, cancellationToken).ConfigureAwait(false);
            }

            await Task.WhenAll(e.Missing.Where(m => !MediaTypes.IsManifest(m.MediaType)).Select(b => CopyBlobOnceAsync(b, cancellationToken))).ConfigureAwait(false);
            await Write().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Copies the referrers of <paramref name="subject"/> (after it), records them at the target, then theirs,
    /// down to <see cref="CopyOptions.ReferrersDepth"/>; each subject is asked once, so cycles end.
    /// </summary>
    private async Task CopyReferrersAsync(Descriptor subject, int depth, CancellationToken cancellationToken)
    {
        if (depth > _options.ReferrersDepth || !_referred.TryAdd(subject.Digest, 0))
        {
            return;
        }

        var listed = await ((IReferrersSource)_source).ReferrersAsync(subject.Digest, cancellationToken).ConfigureAwait(false);
        var copied = new List<Descriptor>();
        foreach (var referrer in listed.DistinctBy(r => r.Digest))
        {
            if (!MediaTypes.IsManifest(referrer.MediaType))
            {
                _options.Observer.BlobSkipped(referrer, $"listed as a referrer of {subject.Digest} but not a manifest");
                continue;
            }

            await CopyNodeAsync(referrer, isIndexChild: false, subject.Digest, cancellationToken).ConfigureAwait(false);
            copied.Add(referrer);
            _referrers.Enqueue(referrer);
        }

        if (copied.Count == 0)
        {
            return;
        }

        await ((IReferrersTarget)_target).AddReferrersAsync(subject, copied, _source.Description, cancellationToken).ConfigureAwait(false);
        foreach (var referrer in copied)
        {
            await CopyReferrersAsync(referrer, depth + 1, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task CopyBlobAsync(Descriptor blob, CancellationToken cancellationToken)
        => _blobs.GetOrAdd(blob.Digest, _ => new Lazy<Task>(() => CopyBlobOnceAsync(blob, cancellationToken))).Value;

    private async Task CopyBlobOnceAsync(Descriptor blob, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (await _target.ExistsAsync(blob, cancellationToken).ConfigureAwait(false))
            {
                Interlocked.Increment(ref _skipped);
                _options.Observer.BlobSkipped(blob, "already present");
                return;
            }

            var stream = await _source.OpenAsync(blob, cancellationToken).ConfigureAwait(false);
            await WriteAsync(blob, stream, ct => _source.OpenAsync(blob, ct), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    /// <summary>
    /// Hands <paramref name="stream"/> to the target; <paramref name="reopen"/> lets the target start the content
    /// over (a push falling through to another endpoint) by opening it again at the source, never by buffering it.
    /// </summary>
    private async Task WriteAsync(Descriptor blob, Stream stream, Func<CancellationToken, Task<Stream>> reopen, CancellationToken cancellationToken)
    {
        _options.Observer.BlobStarted(blob);
        long moved = 0;
        void Moved(long n)
        {
            Interlocked.Add(ref moved, n);
            _options.Observer.BytesMoved(blob, n);
        }

        // A fresh start takes back what the progress display counted of the attempt before.
        async Task<Stream> Reopen(CancellationToken ct)
        {
            var fresh = await reopen(ct).ConfigureAwait(false);
            _options.Observer.BytesMoved(blob, -Interlocked.Exchange(ref moved, 0));
            return fresh;
        }

        var counted = new ProgressStream(stream, Moved, Reopen);
        await using (counted.ConfigureAwait(false))
        {
            await _target.WriteAsync(blob, counted, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _copied);
        Interlocked.Add(ref _bytes, blob.Size);
        _options.Observer.BlobCompleted(blob);
    }
}
