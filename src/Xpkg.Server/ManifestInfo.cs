using Xpkg.Oci;

namespace Xpkg.Server;

/// <summary>What the registry needs to know about one stored manifest without re-reading it.</summary>
public sealed record ManifestInfo(
    string MediaType,
    long Size,
    Digest? Subject,
    string? ArtifactType,
    IReadOnlyDictionary<string, string>? Annotations,
    IReadOnlyList<Descriptor> Children)
{
    public static ManifestInfo From(ParsedManifest parsed, long size)
    {
        // The referrers API reports an image manifest's config type when it declares no artifactType.
        string? artifactType = parsed.ArtifactType ?? (parsed.IsIndex ? null : parsed.Config?.MediaType);
        return new ManifestInfo(parsed.MediaType, size, parsed.Subject?.Digest, artifactType, parsed.Annotations,
            parsed.Children.ToList());
    }
}
