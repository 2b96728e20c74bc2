using Xpkg.Oci;

namespace Xpkg.Store;

/// <summary>One entry of the cache's reference index: a name (or none) pointing at a root manifest.</summary>
public sealed record StoredReference
{
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";
    public const string SourceAnnotation = "io.xpkg.source";
    public const string ResolvedAnnotation = "io.xpkg.resolved";
    public const string SizeAnnotation = "io.xpkg.size";

    /// <summary>The normalised reference, or null for an image known only by its digest.</summary>
    public string? Reference { get; init; }

    public required Descriptor Root { get; init; }

    /// <summary>Where it came from: <c>load:/path</c>, a registry URL, <c>containerd:…</c>.</summary>
    public string? Source { get; init; }

    public DateTimeOffset? ResolvedAt { get; init; }

    /// <summary>Bytes of every blob the root reaches that the cache holds.</summary>
    public long TotalSize { get; init; }

    /// <summary>What is shown where a name is expected: the reference, or the digest when untagged.</summary>
    public string DisplayName => Reference ?? Root.Digest.ToString();

    internal Descriptor ToIndexDescriptor()
    {
        var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Reference is not null)
        {
            annotations[RefNameAnnotation] = Reference;
        }

        if (Source is not null)
        {
            annotations[SourceAnnotation] = Source;
        }

        if (ResolvedAt is { } at)
        {
            annotations[ResolvedAnnotation] = at.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
        }

        annotations[SizeAnnotation] = TotalSize.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return new Descriptor
        {
            MediaType = Root.MediaType,
            Digest = Root.Digest,
            Size = Root.Size,
            Platform = Root.Platform,
            ArtifactType = Root.ArtifactType,
            Annotations = annotations,
        };
    }

    internal static StoredReference FromIndexDescriptor(Descriptor d)
    {
        DateTimeOffset? at = DateTimeOffset.TryParse(d.Annotation(ResolvedAnnotation), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var parsed) ? parsed : null;
        return new StoredReference
        {
            Reference = d.Annotation(RefNameAnnotation),
            Root = d with { Annotations = null },
            Source = d.Annotation(SourceAnnotation),
            ResolvedAt = at,
            TotalSize = long.TryParse(d.Annotation(SizeAnnotation), System.Globalization.CultureInfo.InvariantCulture, out long s) ? s : d.Size,
        };
    }
}
