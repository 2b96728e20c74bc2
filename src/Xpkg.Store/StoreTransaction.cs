using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Store;

/// <summary>
/// Stages verified blobs and names, and makes them visible only on <see cref="CommitAsync"/>: blobs first,
/// then references. Disposed without a commit, it removes what it staged, so a failed import leaves the
/// store exactly as it was (a killed one leaves temporary files that <c>cache gc</c> removes).
/// </summary>
public sealed class StoreTransaction : IContentTarget, IReferrersTarget, IDisposable
{
    private readonly ContentStore _store;
    private readonly ConcurrentDictionary<Digest, IngestedBlob> _staged = new();
    private readonly List<(string? Reference, Descriptor Root, string Source)> _tags = [];

    internal StoreTransaction(ContentStore store) => _store = store;

    public string Description => _store.Description;

    public int MaxParallelWrites => _store.MaxParallelWrites;

    /// <summary>
    /// The repository (<c>registry/path</c>) referrers are named in, as <c>repository@digest</c>: what keeps them
    /// from <c>cache gc</c> and what <c>xpkg serve</c>'s referrers API lists. Null records them unnamed.
    /// </summary>
    public string? ReferrersRepository { get; set; }

    public Task<bool> ExistsAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => _staged.ContainsKey(descriptor.Digest) ? Task.FromResult(true) : _store.ExistsAsync(descriptor, cancellationToken);

    public async Task WriteAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        if (_staged.ContainsKey(descriptor.Digest) || await _store.ExistsAsync(descriptor, cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var blob = await _store.IngestAsync(descriptor, content, cancellationToken).ConfigureAwait(false);
        if (!_staged.TryAdd(descriptor.Digest, blob))
        {
            blob.Dispose();
        }
    }

    public Task TagAsync(string? reference, Descriptor root, string source, CancellationToken cancellationToken)
    {
        lock (_tags)
        {
            _tags.Add((reference, root, source));
        }

        return Task.CompletedTask;
    }

    /// <summary><see cref="IReferrersTarget"/>: each referrer becomes a reference of its own, staged like any other.</summary>
    public async Task AddReferrersAsync(Descriptor subject, IReadOnlyList<Descriptor> referrers, string source, CancellationToken cancellationToken)
    {
        foreach (var referrer in referrers)
        {
            string? name = ReferrersRepository is null ? null : ReferrersRepository + "@" + referrer.Digest;
            await TagAsync(name, referrer with { Annotations = null, Platform = null }, source, cancellationToken).ConfigureAwait(false);
        }
    }

    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        foreach (var blob in _staged.Values)
        {
            blob.Commit();
        }

        _staged.Clear();
        foreach (var (reference, root, source) in _tags)
        {
            await _store.TagAsync(reference, root, source, cancellationToken).ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var blob in _staged.Values)
        {
            blob.Dispose();
        }

        _staged.Clear();
    }
}
