using System.Text.RegularExpressions;

namespace Xpkg.Oci;

/// <summary>
/// An image reference with Docker's grammar and normalisation: <c>alpine</c> is
/// <c>docker.io/library/alpine:latest</c>. The string as written is kept in <see cref="Original"/>,
/// because Crossplane derives names from it.
/// </summary>
public sealed partial class ImageReference : IEquatable<ImageReference>
{
    public const string DockerHub = "docker.io";
    public const int MaxNameLength = 255;

    private ImageReference(string original, string registry, string repository, string? tag, Digest? digest)
    {
        Original = original;
        Registry = registry;
        Repository = repository;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>The reference exactly as the user wrote it.</summary>
    public string Original { get; }

    /// <summary>Registry host with optional port, e.g. <c>docker.io</c> or <c>127.0.0.1:5000</c>.</summary>
    public string Registry { get; }

    /// <summary>Repository path inside the registry, e.g. <c>library/alpine</c>.</summary>
    public string Repository { get; }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary><c>registry/repository</c>.</summary>
    public string Name => Registry + "/" + Repository;

    /// <summary>The tag or the digest: what a manifest request asks for (the digest when both exist).</summary>
    public string Identifier => Digest?.ToString() ?? Tag ?? "latest";

    /// <summary>The fully normalised reference: <c>registry/repository[:tag][@digest]</c>.</summary>
    public override string ToString()
        => Name + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    public ImageReference WithTag(string tag) => new(Original, Registry, Repository, ValidateTag(tag), null);

    public ImageReference WithDigest(Digest digest) => new(Original, Registry, Repository, Tag, digest);

    public ImageReference WithoutDigest() => new(Original, Registry, Repository, Tag ?? "latest", null);

    public ImageReference WithoutTag() => new(Original, Registry, Repository, Digest is null ? Tag : null, Digest);

    public static ImageReference Parse(string value, string defaultRegistry = DockerHub)
        => TryParse(value, out var r, out var reason, defaultRegistry)
            ? r
            : throw new InvalidInputException($"invalid reference \"{value}\": {reason}",
                "references look like registry.example.com/repo/name:tag or name@sha256:<64 hex>");

    public static bool TryParse(string? value, out ImageReference reference, out string reason, string defaultRegistry = DockerHub)
    {
        reference = null!;
        if (string.IsNullOrWhiteSpace(value))
        {
            reason = "empty reference";
            return false;
        }

        var m = ReferenceRegex().Match(value);
        if (!m.Success)
        {
            var lower = ReferenceRegex().Match(value.ToLowerInvariant());
            reason = lower.Success ? "repository name must be lowercase" : "not a valid reference";
            return false;
        }

        string name = m.Groups["name"].Value;
        string? tag = m.Groups["tag"].Success ? m.Groups["tag"].Value : null;
        Digest? digest = null;
        if (m.Groups["digest"].Success)
        {
            if (!Oci.Digest.TryParse(m.Groups["digest"].Value, out var d, out var why))
            {
                reason = why;
                return false;
            }

            digest = d;
        }

        if (name.Length > MaxNameLength)
        {
            reason = $"repository name longer than {MaxNameLength} characters";
            return false;
        }

        (string registry, string repository) = SplitDomain(name, defaultRegistry);
        if (!PathRegex().IsMatch(repository))
        {
            reason = "repository name must be lowercase";
            return false;
        }

        if (tag is null && digest is null)
        {
            tag = "latest";
        }

        reference = new ImageReference(value, registry, repository, tag, digest);
        reason = string.Empty;
        return true;
    }

    /// <summary>Docker's rule: the first component is a registry only when it looks like a host.</summary>
    private static (string Registry, string Repository) SplitDomain(string name, string defaultRegistry)
    {
        int slash = name.IndexOf('/', StringComparison.Ordinal);
        string registry;
        string remainder;
        if (slash < 0)
        {
            registry = defaultRegistry;
            remainder = name;
        }
        else
        {
            string first = name[..slash];
            bool looksLikeHost = first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
                || first == "localhost" || !first.Equals(first.ToLowerInvariant(), StringComparison.Ordinal);
            registry = looksLikeHost ? first : defaultRegistry;
            remainder = looksLikeHost ? name[(slash + 1)..] : name;
        }

        if (registry == "index.docker.io")
        {
            registry = DockerHub;
        }

        if (registry == DockerHub && !remainder.Contains('/', StringComparison.Ordinal))
        {
            remainder = "library/" + remainder;
        }

        return (registry, remainder);
    }

    private static string ValidateTag(string tag)
        => TagRegex().IsMatch(tag) ? tag : throw new InvalidInputException($"invalid tag \"{tag}\"");

    public bool Equals(ImageReference? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as ImageReference);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());

    // name := [domain '/'] path-component ('/' path-component)*, then [':' tag] ['@' digest]
    [GeneratedRegex(@"^(?<name>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?/|\[[a-fA-F0-9:]+\](?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*)(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$")]
    private static partial Regex ReferenceRegex();

    [GeneratedRegex(@"^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$")]
    private static partial Regex PathRegex();

    [GeneratedRegex(@"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex TagRegex();
}
