using Xpkg.Install.Input;
using Xpkg.Oci;
using Xpkg.Registry;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Install.Sources;

/// <summary>
/// Packages from the cache, filled from registries when the pull policy allows it: <c>IfNotPresent</c> and
/// <c>Never</c> answer from the cache without a connection when it holds the reference; a miss under
/// <c>IfNotPresent</c>, and every <c>Always</c>, resolves at the registry and copies what the cache lacks.
/// As in Crossplane, a package is fetched with its own pull secrets only: one client per set of secrets,
/// created on first use, so an install the cache satisfies never builds one.
/// </summary>
public sealed class RegistryPackageSource : IPackageSource, IDisposable
{
    private readonly ContentStore _store;
    private readonly CachePackageSource _cache;
    private readonly Func<IReadOnlyList<PullSecret>, RegistryClient> _createClient;
    private readonly ExplainLog _log;
    private readonly Dictionary<string, (Lazy<RegistryClient> Tags, ImagePuller Puller)> _clients = new(StringComparer.Ordinal);

    /// <summary>A source whose client does not depend on pull secrets (tests, or a caller that has none).</summary>
    public RegistryPackageSource(ContentStore store, Func<RegistryClient> createClient, ExplainLog? log = null)
        : this(store, _ => createClient(), log)
    {
    }

    public RegistryPackageSource(ContentStore store, Func<IReadOnlyList<PullSecret>, RegistryClient> createClient, ExplainLog? log = null)
    {
        _store = store;
        _cache = new CachePackageSource(store);
        _createClient = createClient;
        _log = log ?? new ExplainLog();
    }

    public void Dispose()
    {
        foreach (var (tags, _) in _clients.Values.Where(c => c.Tags.IsValueCreated))
        {
            tags.Value.Dispose();
        }
    }

    /// <summary>The registry's tags together with the ones the cache holds (a loaded package counts too).</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        var local = await _cache.ListTagsAsync(repository, policy, secrets, cancellationToken).ConfigureAwait(false);
        if (policy == PullPolicy.Never)
        {
            return local;
        }

        var name = ImageReference.Parse(repository);
        var remote = await ClientFor(secrets).Tags.Value.Repository(name.Registry, name.Repository).ListTagsAsync(null, cancellationToken).ConfigureAwait(false);
        return local.Union(remote, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<ResolvedImage?> ResolveAsync(ImageReference reference, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        if (policy != PullPolicy.Always)
        {
            var cached = await _cache.FindAsync(reference, policy, cancellationToken).ConfigureAwait(false);
            if (cached is not null || policy == PullPolicy.Never)
            {
                return cached;
            }
        }

        // The puller owns pull policy for every command: cache first, then resolve and copy in one transaction.
        var pulled = await ClientFor(secrets).Puller.PullAsync(reference, policy == PullPolicy.Always ? PullPolicy.Always : PullPolicy.IfNotPresent,
            offline: false, new CopyOptions(), cancellationToken).ConfigureAwait(false);
        _cache.Refresh();
        string why = policy == PullPolicy.Always ? "Always resolves at the registry" : "IfNotPresent and the cache does not hold it";
        string copied = pulled.Copy is { } copy ? $"{copy.BlobsCopied} blobs ({copy.BytesCopied} bytes) copied into the cache, {copy.BlobsSkipped} already there" : "nothing to copy";
        return new ResolvedImage(reference, pulled.Root, ImageOrigin.Registry, $"{why}: {reference.Registry} resolved it to {pulled.Root.Digest}; {copied}");
    }

    public async Task<bool> CompleteIndexAsync(ImageReference reference, Descriptor root, CopyOptions options, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        // By digest, so the content is that of the index being bundled even if the tag has moved since.
        var pinned = ImageReference.Parse($"{reference.Name}@{root.Digest}");
        await ClientFor(secrets).Puller.PullAsync(pinned, PullPolicy.Always, offline: false, options, cancellationToken).ConfigureAwait(false);
        _cache.Refresh();
        return true;
    }

    // Packages resolve one after another, but a dependency's tags may be listed while another package pulls.
    private (Lazy<RegistryClient> Tags, ImagePuller Puller) ClientFor(IReadOnlyList<PullSecret> secrets)
    {
        string key = string.Join('\n', secrets.Select(s => s.Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        lock (_clients)
        {
            if (!_clients.TryGetValue(key, out var entry))
            {
                // The puller makes (and disposes) a client per pull; tag lists share one.
                entry = (new Lazy<RegistryClient>(() => _createClient(secrets)), new ImagePuller(_store, () => _createClient(secrets), _log));
                _clients[key] = entry;
            }

            return entry;
        }
    }
}
