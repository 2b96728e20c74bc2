using Xpkg.ContainerdClient;
using Xpkg.Install.Input;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Install.Sources;

/// <summary>
/// Puts a node's containerd image store between the cache and the next source: what <c>kind load</c> or
/// <c>ctr images import</c> put there is found under every policy but <c>Always</c>, offline too (it is a
/// local socket), verified and copied into the cache. Its tags count when dependencies are resolved.
/// </summary>
public sealed class ContainerdPackageSource(IPackageSource next, ContentStore store, Func<ContainerdStore> connect) : IPackageSource, IAsyncDisposable
{
    private readonly CachePackageSource _cache = new(store);
    private ContainerdStore? _containerd;

    private ContainerdStore Containerd => _containerd ??= connect();

    public async Task<IReadOnlyList<string>> ListTagsAsync(string repository, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        var tags = new SortedSet<string>(await next.ListTagsAsync(repository, policy, secrets, cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        foreach (var image in await Containerd.ListImagesAsync(null, cancellationToken).ConfigureAwait(false))
        {
            if (ImageReference.TryParse(image.Name, out var r, out _) && r.Name == repository && r.Tag is { } tag && r.Digest is null)
            {
                tags.Add(tag);
            }
        }

        return tags.ToList();
    }

    public async Task<ResolvedImage?> ResolveAsync(ImageReference reference, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
    {
        if (policy != PullPolicy.Always && await _cache.FindAsync(reference, policy, cancellationToken).ConfigureAwait(false) is null)
        {
            using var lease = await store.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
            var copy = await ContainerdTransfer.PullIntoCacheAsync(Containerd, store, reference, new CopyOptions(), cancellationToken).ConfigureAwait(false);
            if (copy is not null)
            {
                _cache.Refresh();
                return new ResolvedImage(reference, copy.Root, ImageOrigin.Containerd,
                    $"{Containerd.Description} holds it as {copy.Root.Digest}: {copy.BlobsCopied} blobs copied into the cache, verified; no network");
            }
        }

        return await next.ResolveAsync(reference, policy, secrets, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Left to the next source: a node's image store holds what was pulled for that node's platform.</summary>
    public Task<bool> CompleteIndexAsync(ImageReference reference, Descriptor root, CopyOptions options, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken)
        => next.CompleteIndexAsync(reference, root, options, secrets, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_containerd is not null)
        {
            await _containerd.DisposeAsync().ConfigureAwait(false);
        }
    }
}
