using YamlDotNet.RepresentationModel;

namespace Xpkg.Packages;

/// <summary>
/// One Kubernetes object of a package stream. The YAML text is kept as it was written, because the
/// package manager writes objects out again and a re-serialisation would change them.
/// </summary>
public class PackageObject
{
    public required string ApiVersion { get; init; }

    public required string Kind { get; init; }

    /// <summary><c>metadata.name</c>; empty when the document has none.</summary>
    public required string Name { get; init; }

    public string? Namespace { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>The document's text, separator lines excluded, each line ending in <c>\n</c>.</summary>
    public required string RawYaml { get; init; }

    private Lazy<YamlMappingNode>? _root;

    /// <summary>
    /// The parsed document, for callers that need more than the common fields. For objects other than the
    /// meta it is built from <see cref="RawYaml"/> on first use.
    /// </summary>
    public YamlMappingNode Root
    {
        get => (_root ?? throw new InvalidOperationException("no document")).Value;
        init => _root = new Lazy<YamlMappingNode>(value);
    }

    internal Lazy<YamlMappingNode> LazyRoot
    {
        init => _root = value;
    }

    public required DocumentPosition Position { get; init; }

    /// <summary>The API group: the part of <see cref="ApiVersion"/> before the slash, empty for the core group.</summary>
    public string Group => ApiVersion.Contains('/', StringComparison.Ordinal) ? ApiVersion[..ApiVersion.IndexOf('/', StringComparison.Ordinal)] : "";

    public override string ToString() => $"{Kind} {Name}";
}
