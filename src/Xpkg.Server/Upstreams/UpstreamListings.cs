using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// <c>_catalog</c> and the tags of upstream repositories. containerd alone: what it holds. A mirror alone: the
/// cache's catalog, and the upstream's tags (the cached ones when it cannot answer). A mirror with a
/// <paramref name="local"/> store: the unions of the local store's, the cache's and (for tags) the upstream's, with
/// the local store's repositories named by host (<c>docker.io/library/alpine</c>), the names this server routes to
/// it; a local store that fails is logged and the rest answered.
/// </summary>
internal sealed class UpstreamListings(RepositoryMap repositories, IUpstream upstream, IUpstream? local, MirrorLog log)
{
    /// <summary>Every repository, sorted; null when the cache's own catalog answers alone.</summary>
    public async Task<IReadOnlyList<string>?> RepositoriesAsync(CancellationToken cancellationToken)
    {
        if (await upstream.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false) is { } all)
        {
            return all;
        }

        if (local is null)
        {
            return null;
        }

        var cached = await repositories.RepositoriesAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<string>? held = null;
        try
        {
            held = await local.ListRepositoriesAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (XpkgException e)
        {
            log.Decision("failed", "_catalog", null, local.Describe(null), e.Message + "; listing the cache's repositories only");
        }

        // Alone, containerd names Docker Hub's repositories without their host; here such a name is the cache's own.
        var routed = (held ?? []).Select(n => UpstreamRouter.LooksLikeHost(n[..Math.Max(0, n.IndexOf('/', StringComparison.Ordinal))]) ? n : ImageReference.DockerHub + "/" + n);
        return Union(cached, routed);
    }

    /// <summary>The repository's tags, sorted, or null when no source has the repository.</summary>
    public async Task<IReadOnlyList<string>?> TagsAsync(UpstreamName name, CancellationToken cancellationToken)
    {
        if (!upstream.FillsCache)
        {
            return await upstream.ListTagsAsync(name, cancellationToken).ConfigureAwait(false);
        }

        var held = await LocalTagsAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            var tags = await upstream.ListTagsAsync(name, cancellationToken).ConfigureAwait(false);
            if (local is null)
            {
                return tags;
            }

            var cached = await CachedTagsAsync(name, cancellationToken).ConfigureAwait(false);
            return tags is null && held is null && cached.Count == 0 ? null : Union(tags ?? [], Union(held ?? [], cached));
        }
        catch (XpkgException e)
        {
            var known = Union(held ?? [], await CachedTagsAsync(name, cancellationToken).ConfigureAwait(false));
            if (known.Count == 0)
            {
                throw;
            }

            log.Decision("stale-served", name + " tags", null, upstream.Describe(name), e.Message);
            return known;
        }
    }

    private async Task<IReadOnlyList<string>?> LocalTagsAsync(UpstreamName name, CancellationToken cancellationToken)
    {
        if (local is null)
        {
            return null;
        }

        try
        {
            return await local.ListTagsAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch (XpkgException e)
        {
            log.Decision("failed", name + " tags", null, local.Describe(name), e.Message + "; listing the cache's and the upstream's");
            return null;
        }
    }

    private async Task<IReadOnlyList<string>> CachedTagsAsync(UpstreamName name, CancellationToken cancellationToken)
    {
        var all = await repositories.AllAsync(cancellationToken).ConfigureAwait(false);
        return all.Where(x => x.Repository == name.Repository && x.Entry.Registry == name.Registry && x.Entry.Tag is not null)
            .Select(x => x.Entry.Tag!).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    private static List<string> Union(IEnumerable<string> first, IEnumerable<string> second)
        => first.Union(second, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
}
