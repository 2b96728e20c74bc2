using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Transfer;

/// <summary>
/// The one copy between ends. Walks from a root (index → manifests → config and layers), skips what the
/// target has, moves the rest in parallel, and writes children before parents, so the target never holds
/// a manifest whose content is missing. Targets verify every blob as it is written.
/// </summary>
public sealed class CopyEngine
{
    private readonly IContentSource _source;
    private readonly IContentTarget _target;
    private readonly CopyOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentDictionary<Digest, Lazy<Task>> _blobs = new();
    private readonly ConcurrentBag<Descriptor> _missing = [];
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
        var engine = new CopyEngine(source, target, options);
        try
        {
            await engine.CopyNodeAsync(root, isIndexChild: false, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            engine._slots.Dispose();
        }

        return new CopyResult(root, engine._copied, engine._skipped, engine._bytes, engine._missing.ToList());
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

    private async Task CopyNodeAsync(Descriptor node, bool isIndexChild, CancellationToken cancellationToken)
    {
        if (!MediaTypes.IsManifest(node.MediaType))
        {
            await CopyBlobAsync(node, cancellationToken).ConfigureAwait(false);
            return;
        }

        bool present = await _target.ExistsAsync(node, cancellationToken).ConfigureAwait(false);
        if (present && !MediaTypes.IsIndex(node.MediaType))
        {
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
        if (parsed.IsIndex)
        {
            var children = SelectPlatforms(node, parsed);
            int missingBefore = _missing.Count;
            foreach (var child in children)
            {
                await CopyNodeAsync(child, isIndexChild: true, cancellationToken).ConfigureAwait(false);
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
            await WriteAsync(node, new MemoryStream(bytes, writable: false), cancellationToken).ConfigureAwait(false);
        }
    }

    private List<Descriptor> SelectPlatforms(Descriptor index, ParsedManifest parsed)
    {
        if (_options.Platform is null)
        {
            return parsed.Manifests.ToList();
        }

        var matching = parsed.Manifests.Where(m => _options.Platform.Matches(m.Platform)).ToList();
        if (matching.Count == 0)
        {
            // Crossplane packages are built without os/arch; an index over them (ctr's --index-name) says "linux/".
            matching = parsed.Manifests.Where(m => string.IsNullOrEmpty(m.Platform?.Architecture)).ToList();
        }

        if (matching.Count == 0 && parsed.Manifests.Count > 0)
        {
            string available = string.Join(", ", parsed.Manifests.Select(m => m.Platform?.ToString() ?? "unknown"));
            throw new XpkgException($"index {index.Digest} has no manifest for {_options.Platform}; it has {available}",
                "choose one of those with --platform, or keep them all with --all-platforms");
        }

        return matching;
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
            await WriteAsync(blob, stream, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private async Task WriteAsync(Descriptor blob, Stream stream, CancellationToken cancellationToken)
    {
        _options.Observer.BlobStarted(blob);
        var counted = new ProgressStream(stream, n => _options.Observer.BytesMoved(blob, n));
        await using (counted.ConfigureAwait(false))
        {
            await _target.WriteAsync(blob, counted, cancellationToken).ConfigureAwait(false);
        }

        Interlocked.Increment(ref _copied);
        Interlocked.Add(ref _bytes, blob.Size);
        _options.Observer.BlobCompleted(blob);
    }
}
