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
/// The client is created on first use, so an install the cache satisfies never builds one.
/// </summary>
public sealed class RegistryPackageSource : IPackageSource, IDisposable
{
    private readonly ContentStore _store;
    private readonly CachePackageSource _cache;
    private readonly Lazy<RegistryClient> _client;

    public RegistryPackageSource(ContentStore store, Func<RegistryClient> createClient)
    {
        _store = store;
        _cache = new CachePackageSource(store);
        _client = new Lazy<RegistryClient>(createClient);
    }

    public void Dispose()
    {
        if (_client.IsValueCreated)
        {
            _client.Value.Dispose();
        }
    }

    /// <summary>The registry's tags together with the ones the cache holds (a loaded package counts too).</summary>
    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, PullPolicy policy, CancellationToken cancellationToken)
    {
        var local = await _cache.ListTagsAsync(repository, policy, cancellationToken).ConfigureAwait(false);
        if (policy == PullPolicy.Never)
        {
            return local;
        }

        var name = ImageReference.Parse(repository);
        var remote = await _client.Value.Repository(name.Registry, name.Repository).ListTagsAsync(null, cancellationToken).ConfigureAwait(false);
        return local.Union(remote, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<ResolvedImage?> ResolveAsync(ImageReference reference, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        if (policy != PullPolicy.Always)
        {
            var cached = await _cache.ResolveAsync(reference, PullPolicy.Never, secrets, cancellationToken).ConfigureAwait(false);
            if (cached is not null || policy == PullPolicy.Never)
            {
                return cached;
            }
        }

        var client = _client.Value;
        var root = await client.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        var repository = client.Repository(reference);
        using var lease = await _store.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
        var copy = await CopyEngine.CopyAsync(repository, root, _store, new CopyOptions(), cancellationToken).ConfigureAwait(false);
        await _store.TagAsync(reference.Digest is null ? reference.ToString() : null, root, repository.Description, cancellationToken).ConfigureAwait(false);
        string why = policy == PullPolicy.Always ? "Always resolves at the registry" : "IfNotPresent and the cache does not hold it";
        return new ResolvedImage(reference, root, ImageOrigin.Registry,
            $"{why}: {reference.Registry} resolved it to {root.Digest}; {copy.BlobsCopied} blobs ({copy.BytesCopied} bytes) copied into the cache, {copy.BlobsSkipped} already there");
    }
}
