using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// The content of upstream repositories, resolved per request: the cache first when the upstream fills it
/// (a mirror), then the upstream, with concurrent misses for one manifest, tag or blob sharing one fetch.
/// A digest once cached is never asked upstream again; a cached tag is checked upstream after
/// <see cref="UpstreamPolicy.TagTtl"/> and served from the cache when that check fails or takes too long; after a
/// failed check the tag is served from the cache without asking for <see cref="UpstreamPolicy.FailedCheckBackoff"/>.
/// What is fetched is stored under the reference <c>xpkg pull</c> would give it (<c>registry/repository:tag</c>).
/// A mirror may have a <see cref="Local"/> store in front of its upstreams (containerd, the node's own images): a tag
/// it holds is answered by it before the cache and the upstream; content by digest comes from the cache, then from it.
/// </summary>
internal sealed class ServeSource
{
    private const int MaxKnownSizes = 100_000;
    private const string SourcePrefix = "registry:";

    private readonly ContentStore _store;
    private readonly RepositoryMap _repositories;
    private readonly ManifestInfoCache _manifests;
    private readonly IUpstream _upstream;
    private readonly UpstreamPolicy _policy;
    private readonly MirrorLog _log;
    private readonly SingleFlight<ServedManifest?> _manifestFlights = new();
    private readonly BlobFills _fills;
    private readonly FailedTagChecks _failedChecks;

    // Blob sizes named by manifests served: a blob request carries only a digest, and a size from a verified
    // manifest bounds the fetch better than the upstream's word.
    private readonly ConcurrentDictionary<Digest, long> _knownSizes = new();

    public ServeSource(ContentStore store, RepositoryMap repositories, ManifestInfoCache manifests, IUpstream upstream, UpstreamPolicy policy, MirrorLog log, CancellationToken stopping)
    {
        _store = store;
        _repositories = repositories;
        _manifests = manifests;
        _upstream = upstream;
        _policy = policy;
        _log = log;
        _fills = new BlobFills(store, upstream, log, stopping);
        _failedChecks = new FailedTagChecks(policy.FailedCheckBackoff);
    }

    public IUpstream Upstream => _upstream;

    /// <summary>With a mirror: a read-only store asked before the upstream, whose content is served as it is, never cached.</summary>
    public IUpstream? Local { get; init; }

    public async Task<ServedManifest?> ManifestAsync(UpstreamName name, string reference, CancellationToken cancellationToken)
    {
        bool byDigest = Digest.TryParse(reference, out var digest);
        string what = byDigest ? name.DigestReference(digest) : name.TagReference(reference);
        if (!_upstream.FillsCache)
        {
            var direct = await _upstream.GetManifestAsync(name, reference, cancellationToken).ConfigureAwait(false);
            return direct is null ? null : Remember(new ServedManifest(direct.Descriptor, direct.Bytes));
        }

        if (byDigest)
        {
            if (await FromCacheAsync(digest, cancellationToken).ConfigureAwait(false) is { } hit)
            {
                _log.Decision("hit", what, null, "cache");
                return Remember(hit);
            }

            return await FromLocalAsync(name, reference, what, cancellationToken).ConfigureAwait(false) is { } held
                ? Remember(held)
                : await FetchAsync(name, reference, what, cancellationToken).ConfigureAwait(false);
        }

        if (await FromLocalAsync(name, reference, what, cancellationToken).ConfigureAwait(false) is { } local)
        {
            return Remember(local);
        }

        var all = await _repositories.AllAsync(cancellationToken).ConfigureAwait(false);
        var cached = all.Select(e => e.Entry.Stored).FirstOrDefault(s => s.Reference == what);
        var served = cached is null ? null : await FromCacheAsync(cached.Root.Digest, cancellationToken).ConfigureAwait(false);
        if (cached is null || served is null)
        {
            return await FetchAsync(name, reference, what, cancellationToken).ConfigureAwait(false);
        }

        var age = DateTimeOffset.UtcNow - (cached.ResolvedAt ?? DateTimeOffset.MinValue);
        if (age < _policy.TagTtl)
        {
            _log.Decision("hit", what, served.Descriptor.Digest.ToString(), "cache", $"checked upstream {Duration(age)} ago, ttl {Duration(_policy.TagTtl)}");
            return Remember(served);
        }

        if (_failedChecks.RecentFailure(what) is { } failedAgo)
        {
            _log.Decision("hit", what, served.Descriptor.Digest.ToString(), "cache",
                $"stale: the upstream check failed {Duration(failedAgo)} ago; next check in {Duration(_failedChecks.Backoff - failedAgo)}");
            return Remember(served);
        }

        var (result, _) = await _manifestFlights.RunAsync("tag " + what, () => RevalidateAsync(name, reference, what, served), cancellationToken).ConfigureAwait(false);
        return result is null ? null : Remember(result);
    }

    /// <summary>A blob to serve; with <paramref name="fetch"/> false (a HEAD) a miss is only looked up upstream, not fetched.</summary>
    public async Task<ServedBlob?> BlobAsync(UpstreamName name, Digest digest, bool fetch, CancellationToken cancellationToken)
    {
        if (_upstream.FillsCache && File.Exists(_store.BlobPath(digest)))
        {
            _log.Decision("hit", name.DigestReference(digest), null, "cache");
            return new ServedBlob(new Descriptor { MediaType = "application/octet-stream", Digest = digest, Size = new FileInfo(_store.BlobPath(digest)).Length }, null);
        }

        if (Local is { } local && await LocalBlobSizeAsync(local, name, digest, cancellationToken).ConfigureAwait(false) is long held)
        {
            _log.Decision("hit", name.DigestReference(digest), null, local.Describe(name));
            var descriptor = new Descriptor { MediaType = "application/octet-stream", Digest = digest, Size = held };
            return new ServedBlob(descriptor, (offset, ct) => OpenDirectAsync(local, name, descriptor, offset, ct));
        }

        long? size = _knownSizes.TryGetValue(digest, out long known) ? known : await _upstream.StatBlobAsync(name, digest, cancellationToken).ConfigureAwait(false);
        if (size is null)
        {
            _log.Decision("not-found", name.DigestReference(digest), null, _upstream.Describe(name));
            return null;
        }

        var blob = new Descriptor { MediaType = "application/octet-stream", Digest = digest, Size = size.Value };
        return _upstream.FillsCache && fetch
            ? _fills.Serve(name, blob)
            : new ServedBlob(blob, (offset, ct) => OpenDirectAsync(_upstream, name, blob, offset, ct));
    }

    /// <summary>Straight from an upstream: a whole read is verified as it streams, a range cannot be.</summary>
    private static async Task<Stream> OpenDirectAsync(IUpstream from, UpstreamName name, Descriptor descriptor, long offset, CancellationToken cancellationToken)
    {
        var stream = await from.OpenBlobAsync(name, descriptor, offset, cancellationToken).ConfigureAwait(false);
        return offset == 0 ? new VerifyingStream(stream, descriptor.Digest, descriptor.Size) : stream;
    }

    /// <summary>The manifest <see cref="Local"/> holds under the name, or null; a local store that fails is passed over for the upstream.</summary>
    private async Task<ServedManifest?> FromLocalAsync(UpstreamName name, string reference, string what, CancellationToken cancellationToken)
    {
        if (Local is not { } local)
        {
            return null;
        }

        try
        {
            if (await local.GetManifestAsync(name, reference, cancellationToken).ConfigureAwait(false) is not { } held)
            {
                return null;
            }

            _log.Decision("hit", what, held.Descriptor.Digest.ToString(), local.Describe(name));
            return new ServedManifest(held.Descriptor, held.Bytes);
        }
        catch (XpkgException e)
        {
            _log.Decision("failed", what, null, local.Describe(name), e.Message + "; asking the upstream");
            return null;
        }
    }

    private async Task<long?> LocalBlobSizeAsync(IUpstream local, UpstreamName name, Digest digest, CancellationToken cancellationToken)
    {
        try
        {
            return await local.StatBlobAsync(name, digest, cancellationToken).ConfigureAwait(false);
        }
        catch (XpkgException e)
        {
            _log.Decision("failed", name.DigestReference(digest), null, local.Describe(name), e.Message + "; asking the upstream");
            return null;
        }
    }

    /// <summary>
    /// A tag cached longer than the TTL: one short check upstream. When it fails, the cached manifest is served and
    /// the failure remembered for the back-off, so the requests that follow do not each wait for a check of their own.
    /// </summary>
    private async Task<ServedManifest?> RevalidateAsync(UpstreamName name, string tag, string what, ServedManifest cached)
    {
        string upstream = _upstream.Describe(name);
        try
        {
            Descriptor? now;
            using (var timeout = new CancellationTokenSource(_policy.RevalidateTimeout))
            {
                try
                {
                    now = await _upstream.ResolveAsync(name, tag, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException e) when (timeout.IsCancellationRequested)
                {
                    throw new TimeoutException($"no answer within {Duration(_policy.RevalidateTimeout)}", e);
                }
            }

            if (now is null)
            {
                return StaleServed(what, cached, upstream, "the upstream no longer has this tag; serving the cached one");
            }

            if (now.Digest == cached.Descriptor.Digest)
            {
                await _repositories.TagAsync(what, cached.Descriptor, SourcePrefix + name, CancellationToken.None).ConfigureAwait(false);
                _failedChecks.Forget(what);
                _log.Decision("revalidated", what, now.Digest.ToString(), upstream, "unchanged");
                return cached;
            }

            var moved = await FromCacheAsync(now.Digest, CancellationToken.None).ConfigureAwait(false)
                ?? await StoreAsync(name, await _upstream.GetManifestAsync(name, now.Digest.ToString(), CancellationToken.None).ConfigureAwait(false), null, CancellationToken.None).ConfigureAwait(false);
            if (moved is null)
            {
                return StaleServed(what, cached, upstream, $"the tag moved to {now.Digest}, which the upstream does not serve");
            }

            await _repositories.TagAsync(what, moved.Descriptor, SourcePrefix + name, CancellationToken.None).ConfigureAwait(false);
            _failedChecks.Forget(what);
            _log.Decision("revalidated", what, now.Digest.ToString(), upstream, $"moved from {cached.Descriptor.Digest}");
            return moved;
        }
        catch (Exception e) when (e is XpkgException or TimeoutException or OperationCanceledException or IOException or HttpRequestException)
        {
            return StaleServed(what, cached, upstream, e.Message);
        }
    }

    private ServedManifest StaleServed(string what, ServedManifest cached, string upstream, string why)
    {
        _failedChecks.Remember(what);
        _log.Decision("stale-served", what, cached.Descriptor.Digest.ToString(), upstream, $"{why}; next check in {Duration(_failedChecks.Backoff)}");
        return cached;
    }

    /// <summary>A miss: one fetch however many ask, stored and named before it is served.</summary>
    private async Task<ServedManifest?> FetchAsync(UpstreamName name, string reference, string what, CancellationToken cancellationToken)
    {
        bool byDigest = Digest.TryParse(reference, out _);
        var (result, joined) = await _manifestFlights.RunAsync(what, async () =>
        {
            var fetched = await _upstream.GetManifestAsync(name, reference, CancellationToken.None).ConfigureAwait(false);
            var stored = await StoreAsync(name, fetched, byDigest ? null : reference, CancellationToken.None).ConfigureAwait(false);
            _log.Decision(stored is null ? "not-found" : "miss", what, stored?.Descriptor.Digest.ToString(), _upstream.Describe(name), stored is null ? null : "fetched and cached");
            return stored;
        }, cancellationToken).ConfigureAwait(false);
        if (joined)
        {
            _log.Decision("joined", what, result?.Descriptor.Digest.ToString(), _upstream.Describe(name), "shared a fetch in flight");
        }

        return result is null ? null : Remember(result);
    }

    private async Task<ServedManifest?> StoreAsync(UpstreamName name, UpstreamManifest? fetched, string? tag, CancellationToken cancellationToken)
    {
        if (fetched is null)
        {
            return null;
        }

        var descriptor = fetched.Descriptor;
        using (var content = new MemoryStream(fetched.Bytes, writable: false))
        {
            await _store.WriteAsync(descriptor, content, cancellationToken).ConfigureAwait(false);
        }

        _manifests.Remember(descriptor.Digest, ManifestInfo.From(ParsedManifest.Parse(fetched.Bytes, descriptor.MediaType), fetched.Bytes.Length));
        if (tag is not null)
        {
            await _repositories.TagAsync(name.TagReference(tag), descriptor, SourcePrefix + name, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            // Fetched by digest and reached by no cached name (not a child of a cached index): named by digest,
            // as a push by digest is, so it is listed and safe from cache gc.
            var all = await _repositories.AllAsync(cancellationToken).ConfigureAwait(false);
            if (await _manifests.FindUserAsync(all.Select(e => e.Entry.Stored), descriptor.Digest, cancellationToken).ConfigureAwait(false) is null)
            {
                await _repositories.TagAsync(name.DigestReference(descriptor.Digest), descriptor, SourcePrefix + name, cancellationToken).ConfigureAwait(false);
            }
        }

        return new ServedManifest(descriptor, fetched.Bytes);
    }

    private async Task<ServedManifest?> FromCacheAsync(Digest digest, CancellationToken cancellationToken)
    {
        if (await _manifests.GetAsync(digest, cancellationToken).ConfigureAwait(false) is not { } info)
        {
            return null;
        }

        var descriptor = new Descriptor { MediaType = info.MediaType, Digest = digest, Size = info.Size };
        try
        {
            return new ServedManifest(descriptor, await _store.ReadSmallBlobAsync(descriptor, cancellationToken).ConfigureAwait(false));
        }
        catch (Oci.Content.ContentNotFoundException)
        {
            return null;
        }
    }

    private ServedManifest Remember(ServedManifest served)
    {
        if (_knownSizes.Count > MaxKnownSizes)
        {
            _knownSizes.Clear();
        }

        foreach (var child in ParsedManifest.Parse(served.Bytes, served.Descriptor.MediaType).Children)
        {
            _knownSizes[child.Digest] = child.Size;
        }

        return served;
    }

    private static string Duration(TimeSpan t) => t.TotalSeconds < 1 ? $"{t.TotalMilliseconds:0}ms" : t.TotalSeconds < 120 ? $"{t.TotalSeconds:0.#}s" : $"{t.TotalMinutes:0.#}m";
}
