using Xpkg.ContainerdClient;
using Xpkg.Oci;
using Xpkg.Registry;
using Xpkg.Store;

namespace Xpkg.Transfer;

public sealed record PullResult(ImageReference Reference, Descriptor Root, string Source, CopyResult? Copy);

/// <summary>
/// Where pull policy lives: the cache answers <c>IfNotPresent</c> and <c>Never</c> without a registry client
/// ever being created, so no socket can open by accident; <c>Always</c> and a miss resolve at the registry
/// and copy what the cache lacks. Every decision goes to the explain log.
/// </summary>
public sealed class ImagePuller(ContentStore store, Func<RegistryClient> registry, ExplainLog log, Func<ContainerdStore>? containerd = null)
{
    /// <summary>
    /// The store fetched content goes into; by default <c>store</c>, the one looked in. The CLI looks in a cache that
    /// may not exist yet without creating it (<see cref="ContentStore.OpenForReading"/>) and opens it only to write.
    /// </summary>
    public Func<ContentStore>? OpenForWriting { get; init; }

    private ContentStore Writable => OpenForWriting?.Invoke() ?? store;

    public async Task<PullResult> PullAsync(ImageReference reference, PullPolicy policy, bool offline, CopyOptions options, CancellationToken cancellationToken)
    {
        log.Add("reference", $"\"{reference.Original}\" is {reference}");
        if (offline && policy != PullPolicy.Never)
        {
            log.Add("policy", $"--offline turns {policy} into Never for this run");
            policy = PullPolicy.Never;
        }

        if (policy != PullPolicy.Always)
        {
            var cached = await FindCompleteAsync(reference, cancellationToken).ConfigureAwait(false);
            if (cached is not null)
            {
                log.Add("policy", $"{policy}: the cache holds {reference} ({cached.Root.Digest}{(cached.ResolvedAt is { } at ? $", resolved {at:yyyy-MM-ddTHH:mm:ssZ}" : "")}{(cached.Source is { } s ? $" from {s}" : "")}); no network");
                if (options.ReferrersDepth > 0)
                {
                    // The policy's promise (no connection) wins over --referrers: the cache keeps the referrers it has.
                    log.Add("referrers", $"not fetched, the image was cached and the policy is {policy}; use --policy Always to refresh them{(offline ? " (without --offline)" : "")}");
                }
                return new PullResult(reference, cached.Root, "cache", null);
            }

            if (containerd is not null && await FromContainerdAsync(reference, options, cancellationToken).ConfigureAwait(false) is { } fromNode)
            {
                return fromNode;
            }

            if (policy == PullPolicy.Never)
            {
                log.Add("policy", $"Never: {reference} is not in the cache");
                throw new XpkgException($"{reference} is not in the cache and the pull policy is Never{(offline ? " (--offline)" : "")}",
                    $"bring it in first: xpkg load FILE --tag {reference}, or xpkg pull {reference.Original} where the registry is reachable");
            }

            log.Add("policy", $"IfNotPresent: {reference} is not in the cache; resolving at the registry");
        }
        else
        {
            log.Add("policy", $"Always: resolving {reference} at the registry");
        }

        using var client = registry();
        var repository = client.Repository(reference);
        var root = await repository.FetchRootAsync(reference.Identifier, cancellationToken).ConfigureAwait(false);
        var target = Writable;
        using var lease = await target.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = target.BeginTransaction();
        transaction.ReferrersRepository = $"{reference.Registry}/{reference.Repository}";
        var copy = await CopyEngine.CopyAsync(repository, root, transaction, options, cancellationToken).ConfigureAwait(false);
        log.Add("copy", $"{copy.BlobsCopied} blob(s) fetched ({copy.BytesCopied} bytes), {copy.BlobsSkipped} already in the cache"
            + (options.ReferrersDepth > 0 ? $", {copy.Referrers.Count} referrer(s)" : ""));
        string source = $"registry:{reference.Registry}/{reference.Repository}";
        await transaction.TagAsync(reference.ToString(), root, source, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        log.Add("digest", $"{reference} is {root.Digest}");
        return new PullResult(reference, root, "registry", copy);
    }

    /// <summary>
    /// For commands that only read (inspect): what the user named as the cache knows it (any recorded name, or a
    /// manifest by digest), else, for a reference, the image containerd holds, copied into the cache. Never a
    /// registry. Null when neither has it.
    /// </summary>
    public async Task<StoredReference?> FindLocalAsync(string text, CopyOptions options, CancellationToken cancellationToken)
    {
        var cached = await ImageLookup.FindAsync(store, text, cancellationToken).ConfigureAwait(false);
        if (cached is not null)
        {
            log.Add("lookup", $"the cache holds {cached.Reference ?? text} ({cached.Root.Digest}{(cached.Source is { } s ? $" from {s}" : "")})");
            return cached;
        }

        if (containerd is null || Digest.TryParse(text, out _))
        {
            log.Add("lookup", $"{text} is not in the cache{(containerd is null ? "; containerd is not configured (--containerd-socket)" : "; containerd is asked by name only")}");
            return null;
        }

        var reference = ImageReference.Parse(text);
        log.Add("lookup", $"{reference} is not in the cache; asking containerd");
        var pulled = await FromContainerdAsync(reference, options, cancellationToken).ConfigureAwait(false);
        return pulled is null ? null : await ImageLookup.FindAsync(store, reference.ToString(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The node's own image store: a local socket, not the network, so it serves Never and --offline too.</summary>
    private async Task<PullResult?> FromContainerdAsync(ImageReference reference, CopyOptions options, CancellationToken cancellationToken)
    {
        var node = containerd!();
        node.Explain = m => log.Add("containerd", m);
        await using (node.ConfigureAwait(false))
        {
            var target = Writable;
            using var lease = await target.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
            var copy = await ContainerdTransfer.PullIntoCacheAsync(node, target, reference, options, cancellationToken).ConfigureAwait(false);
            if (copy is null)
            {
                log.Add("containerd", $"{node.Description} has no image {reference}");
                return null;
            }

            log.Add("containerd", $"{node.Description} holds {reference} as {copy.Root.Digest}: {copy.BlobsCopied} blob(s) copied into the cache, verified; no network");
            return new PullResult(reference, copy.Root, "containerd", copy);
        }
    }

    /// <summary>A tag recorded with its digest, or a digest whose content is complete.</summary>
    private async Task<StoredReference?> FindCompleteAsync(ImageReference reference, CancellationToken cancellationToken)
    {
        var entry = await ImageLookup.FindAsync(store, reference.ToString(), cancellationToken).ConfigureAwait(false);
        if (entry is null)
        {
            return null;
        }

        if (!await store.IsCompleteAsync(entry.Root, cancellationToken).ConfigureAwait(false))
        {
            log.Add("policy", $"the cache knows {reference} as {entry.Root.Digest} but lacks some of its content");
            return null;
        }

        return entry;
    }
}
