using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// A repository of an upstream: the registry host a client asked for (by <c>ns</c> or path prefix) and the
/// repository path, normalised as references are (<c>docker.io</c> + <c>alpine</c> is <c>docker.io/library/alpine</c>).
/// Its references are the cache's names for what the mirror stores, exactly as <c>xpkg pull</c> names them.
/// </summary>
public sealed record UpstreamName(string Registry, string Repository)
{
    /// <summary>Parses <c>registry/repository</c>, or null when it is no valid reference name.</summary>
    public static UpstreamName? TryParse(string registry, string repository)
        => ImageReference.TryParse(registry + "/" + repository, out var parsed, out _) && parsed.Registry == registry.ToLowerInvariant()
            ? new UpstreamName(parsed.Registry, parsed.Repository)
            : null;

    public string TagReference(string tag) => $"{Registry}/{Repository}:{tag}";

    public string DigestReference(Digest digest) => $"{Registry}/{Repository}@{digest}";

    public override string ToString() => Registry + "/" + Repository;
}
