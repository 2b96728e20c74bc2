using Xpkg.Install.Input;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Install.Sources;

/// <summary>
/// Packages from the local cache only: tags are the cache's references for a repository, and a reference
/// resolves when the cache holds it complete. It opens no connection under any policy, so it is also what
/// <c>--offline</c> uses; <see cref="PullPolicy.Always"/> cannot be honoured without a registry and fails.
/// </summary>
public sealed class CachePackageSource : IPackageSource
{
    private readonly ContentStore _store;
    private Task<Snapshot>? _snapshot;

    public CachePackageSource(ContentStore store)
    {
        _store = store;
    }

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
        => (await ReadAsync(cancellationToken).ConfigureAwait(false)).TagsOf(repository);

    public Task<bool> CompleteIndexAsync(ImageReference reference, Descriptor root, CopyOptions options, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
        => Task.FromResult(false);

    /// <summary>Forgets the references read so far; the next question reads the cache again (after this process added to it).</summary>
    internal void Refresh() => _snapshot = null;

    public async Task<ResolvedImage?> ResolveAsync(ImageReference reference, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        if (policy == PullPolicy.Always)
        {
            throw new XpkgException($"{reference}: pull policy Always resolves at the registry, and this xpkg has no registry to ask",
                "use packagePullPolicy IfNotPresent or Never with packages brought in by xpkg load, or run with --offline");
        }

        return await FindAsync(reference, policy, cancellationToken).ConfigureAwait(false)
            ?? (policy == PullPolicy.Never
                ? null
                : throw new XpkgException($"package {reference.Original} is not in the cache, and no registry is configured to fetch it from (pull policy {policy})",
                    $"bring it into the cache with xpkg load FILE (a .xpkg or image archive); xpkg images lists what the cache holds"));
    }

    /// <summary>The cache's answer, or null on a miss; <paramref name="policy"/> only words the explanation.</summary>
    internal async Task<ResolvedImage?> FindAsync(ImageReference reference, PullPolicy policy, CancellationToken cancellationToken)
    {
        var snapshot = await ReadAsync(cancellationToken).ConfigureAwait(false);
        var found = await ImageLookup.FindAsync(_store, snapshot.Entries, reference.ToString(), cancellationToken).ConfigureAwait(false);
        if (found is null || !await _store.IsCompleteAsync(found.Root, cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        string what = reference.Digest is null ? $"tag {reference.Tag} recorded in the cache as {found.Root.Digest}" : "digest present in the cache";
        return new ResolvedImage(reference, found.Root, ImageOrigin.Cache, $"{policy}: {what}; no connection opened");
    }

    // One resolution asks about hundreds of references: the index is read and its names parsed once.
    private Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
        => _snapshot ??= ReadSnapshotAsync(cancellationToken);

    private async Task<Snapshot> ReadSnapshotAsync(CancellationToken cancellationToken)
        => new(await _store.References.ReadAsync(cancellationToken).ConfigureAwait(false));

    /// <summary>The cache's references at one moment, with the tags of each repository.</summary>
    private sealed class Snapshot
    {
        private readonly Dictionary<string, List<string>> _tags = new(StringComparer.Ordinal);

        public Snapshot(IReadOnlyList<StoredReference> entries)
        {
            Entries = entries;
            foreach (var entry in entries)
            {
                if (entry.Reference is { } text && ImageReference.TryParse(text, out var r, out _) && r.Tag is { } tag && r.Digest is null)
                {
                    (_tags.TryGetValue(r.Name, out var list) ? list : _tags[r.Name] = []).Add(tag);
                }
            }

            foreach (var list in _tags.Values)
            {
                list.Sort(StringComparer.Ordinal);
            }
        }

        public IReadOnlyList<StoredReference> Entries { get; }

        public IReadOnlyList<string> TagsOf(string repository) => _tags.TryGetValue(repository, out var list) ? list : [];
    }
}
