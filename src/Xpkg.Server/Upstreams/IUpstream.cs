using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// Where <c>xpkg serve</c> finds content for a repository it does not hold itself: an upstream registry (mirror
/// mode) or containerd's image store. <see cref="ServeSource"/> asks it, with the cache in front when the
/// upstream fills the cache. Manifests come back verified; blobs are verified by whoever reads them.
/// </summary>
public interface IUpstream : IAsyncDisposable
{
    /// <summary>Whether what is read is stored in the cache (a mirror) or streamed straight through (containerd).</summary>
    bool FillsCache { get; }

    /// <summary>
    /// Where <paramref name="name"/> is read from, for logs: <c>registry upstream.example</c>, <c>containerd:/run/…</c>;
    /// with null, the upstream as a whole (a listing of every repository).
    /// </summary>
    string Describe(UpstreamName? name);

    /// <summary>Where a tag points now (a cheap check: HEAD at a registry), or null when the upstream has no such tag.</summary>
    Task<Descriptor?> ResolveAsync(UpstreamName name, string tag, CancellationToken cancellationToken);

    /// <summary>A manifest by tag or digest, bounded and verified, or null when the upstream does not have it.</summary>
    Task<UpstreamManifest?> GetManifestAsync(UpstreamName name, string reference, CancellationToken cancellationToken);

    /// <summary>A blob's size, or null when the upstream does not have it.</summary>
    Task<long?> StatBlobAsync(UpstreamName name, Digest digest, CancellationToken cancellationToken);

    /// <summary>
    /// A blob from <paramref name="offset"/> to its end, as the upstream sends it: the caller verifies it
    /// (<see cref="ServeSource"/> hashes a whole read; a range cannot be checked and is offered only where the
    /// content lives in trusted storage, containerd's).
    /// </summary>
    Task<Stream> OpenBlobAsync(UpstreamName name, Descriptor descriptor, long offset, CancellationToken cancellationToken);

    /// <summary>
    /// Every repository, as this server names them when the upstream is all it serves (<c>library/alpine</c> for
    /// Docker Hub's, <c>HOST/REPO</c> for others); null for an upstream with no catalog (a registry: the cache's answers).
    /// </summary>
    Task<IReadOnlyList<string>?> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>The repository's tags, or null when the upstream has no such repository.</summary>
    Task<IReadOnlyList<string>?> ListTagsAsync(UpstreamName name, CancellationToken cancellationToken);
}
