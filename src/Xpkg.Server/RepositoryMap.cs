using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>
/// How the cache's references appear as repositories. The cache is one content pool keyed by full references
/// (<c>registry/repository:tag</c>); the registry shows them by repository path:
/// <list type="bullet">
/// <item>Repository <c>&lt;name&gt;</c> holds every reference whose repository path is <c>&lt;name&gt;</c>,
/// whatever its registry: <c>docker.io/library/alpine:latest</c> is served as <c>library/alpine:latest</c>.</item>
/// <item>When two registries hold the same <c>name:tag</c>, this registry's own wins, then the first in the index.</item>
/// <item>Pushes are recorded under this registry's own host: <c>&lt;host:port&gt;/&lt;name&gt;:&lt;tag&gt;</c>, and a
/// manifest pushed by digest as <c>&lt;host:port&gt;/&lt;name&gt;@&lt;digest&gt;</c>, which keeps it in the repository
/// (for the referrers API and tag-less children) and safe from garbage collection.</item>
/// <item>Blobs are not per repository: any repository serves any blob in the cache.</item>
/// </list>
/// </summary>
public sealed class RepositoryMap(ContentStore store, string registryHost)
{
    private readonly string _indexPath = Path.Combine(store.Root, "index.json");
    private static readonly TimeSpan SnapshotLifetime = TimeSpan.FromSeconds(1);
    private IndexSnapshot? _snapshot;

    // Bumped by our own changes, so a read that raced with one does not leave a stale snapshot behind.
    private long _version;

    public string RegistryHost => registryHost;

    public string TagReference(string name, string tag) => registryHost + "/" + name + ":" + tag;

    public string DigestReference(string name, Digest digest) => registryHost + "/" + name + "@" + digest;

    /// <summary>Every reference of the cache with its repository path, skipping anonymous and unparsable ones.</summary>
    public async Task<IReadOnlyList<(string Repository, RepositoryEntry Entry)>> AllAsync(CancellationToken cancellationToken)
        => (await SnapshotAsync(cancellationToken).ConfigureAwait(false)).Entries;

    private async Task<IndexSnapshot> SnapshotAsync(CancellationToken cancellationToken)
    {
        // Reading and parsing the index on every manifest request would dominate the request time. It is
        // replaced by rename on every change, so its timestamp and length tell whether another process changed
        // it; as timestamps are coarse, a snapshot is also trusted for at most a second. Our own changes drop it.
        var file = new FileInfo(_indexPath);
        var stamp = file.Exists ? (file.LastWriteTimeUtc, file.Length) : (DateTime.MinValue, 0L);
        var now = DateTime.UtcNow;
        if (_snapshot is { } cached && cached.Stamp == stamp && now - cached.ReadAtUtc < SnapshotLifetime)
        {
            return cached;
        }

        long version = Volatile.Read(ref _version);
        var snapshot = new IndexSnapshot(stamp, now, await ReadAllAsync(cancellationToken).ConfigureAwait(false));
        if (Volatile.Read(ref _version) == version)
        {
            _snapshot = snapshot;
        }

        return snapshot;
    }

    private async Task<IReadOnlyList<(string Repository, RepositoryEntry Entry)>> ReadAllAsync(CancellationToken cancellationToken)
    {
        var result = new List<(string, RepositoryEntry)>();
        foreach (var stored in await store.References.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (stored.Reference is null || !ImageReference.TryParse(stored.Reference, out var parsed, out _))
            {
                continue;
            }

            // A reference with both tag and digest is served by its tag.
            result.Add((parsed.Repository, new RepositoryEntry(stored, parsed.Registry, parsed.Tag, parsed.Tag is null ? parsed.Digest : null)));
        }

        return result;
    }

    public async Task<IReadOnlyList<RepositoryEntry>> EntriesAsync(string name, CancellationToken cancellationToken)
        => (await SnapshotAsync(cancellationToken).ConfigureAwait(false)).InRepository(name);

    /// <summary>The entry <c>name:tag</c> resolves to, this registry's own first.</summary>
    public async Task<RepositoryEntry?> ResolveTagAsync(string name, string tag, CancellationToken cancellationToken)
    {
        RepositoryEntry? first = null;
        foreach (var e in (await SnapshotAsync(cancellationToken).ConfigureAwait(false)).InRepository(name))
        {
            if (e.Tag == tag)
            {
                if (e.Registry == registryHost)
                {
                    return e;
                }

                first ??= e;
            }
        }

        return first;
    }

    /// <summary>The repository's tags in ordinal order, or null when the repository has no entry at all.</summary>
    public async Task<IReadOnlyList<string>?> TagsAsync(string name, CancellationToken cancellationToken)
    {
        var entries = await EntriesAsync(name, cancellationToken).ConfigureAwait(false);
        if (entries.Count == 0)
        {
            return null;
        }

        return entries.Where(e => e.Tag is not null).Select(e => e.Tag!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<string>> RepositoriesAsync(CancellationToken cancellationToken)
        => (await AllAsync(cancellationToken).ConfigureAwait(false)).Select(e => e.Repository).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();

    /// <summary>Names a manifest in the cache (see the class summary for the names used).</summary>
    public async Task TagAsync(string reference, Descriptor root, string source, CancellationToken cancellationToken)
    {
        try
        {
            await store.TagAsync(reference, root, source, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
            _snapshot = null;
        }
    }

    /// <summary>Removes the references <paramref name="remove"/> selects; returns how many went.</summary>
    public async Task<int> RemoveAsync(Func<StoredReference, bool> remove, CancellationToken cancellationToken)
    {
        int removed = 0;
        try
        {
            await store.References.UpdateAsync(entries =>
            {
                removed = entries.RemoveAll(e => remove(e));
                return removed > 0;
            }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Increment(ref _version);
            _snapshot = null;
        }

        return removed;
    }

    private sealed class IndexSnapshot((DateTime, long) stamp, DateTime readAtUtc, IReadOnlyList<(string Repository, RepositoryEntry Entry)> entries)
    {
        // Every manifest request looks up one repository: grouped once per snapshot, not filtered per request.
        private readonly Dictionary<string, RepositoryEntry[]> _byRepository = entries
            .GroupBy(e => e.Repository, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Entry).ToArray(), StringComparer.Ordinal);

        public (DateTime, long) Stamp => stamp;

        public DateTime ReadAtUtc => readAtUtc;

        public IReadOnlyList<(string Repository, RepositoryEntry Entry)> Entries => entries;

        public IReadOnlyList<RepositoryEntry> InRepository(string name) => _byRepository.GetValueOrDefault(name) ?? [];
    }
}
