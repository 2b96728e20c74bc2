using System.Text.Json.Serialization;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Inspection;

public sealed record PackageSummary
{
    [JsonPropertyName("apiVersion")]
    public required string ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }

    /// <summary><c>spec.crossplane.version</c>, null when the package sets none.</summary>
    [JsonPropertyName("crossplaneVersion")]
    public string? CrossplaneVersion { get; init; }

    [JsonPropertyName("dependsOn")]
    public required IReadOnlyList<DependencySummary> DependsOn { get; init; }

    /// <summary>The effective capabilities (a Function without any reports <c>composition</c>).</summary>
    [JsonPropertyName("capabilities")]
    public required IReadOnlyList<string> Capabilities { get; init; }

    /// <summary>The <c>meta.crossplane.io/*</c> annotations.</summary>
    [JsonPropertyName("annotations")]
    public required IReadOnlyDictionary<string, string> Annotations { get; init; }

    [JsonPropertyName("objects")]
    public required IReadOnlyList<ObjectSummary> Objects { get; init; }

    [JsonPropertyName("baseLayer")]
    public BaseLayerSummary? BaseLayer { get; init; }

    public static PackageSummary From(PackageMeta meta, IEnumerable<PackageObject> objects, PackageLocation? location = null) => new()
    {
        ApiVersion = meta.ApiVersion,
        Kind = meta.Kind,
        Name = meta.Name,
        CrossplaneVersion = meta.CrossplaneVersion,
        DependsOn = meta.DependsOn.Select(DependencySummary.From).ToList(),
        Capabilities = meta.EffectiveCapabilities,
        Annotations = new SortedDictionary<string, string>(meta.MetaAnnotations.ToDictionary(), StringComparer.Ordinal),
        Objects = objects.Select(o => new ObjectSummary { ApiVersion = o.ApiVersion, Kind = o.Kind, Name = o.Name }).ToList(),
        BaseLayer = location is null ? null : new BaseLayerSummary
        {
            Digest = location.Layer.Digest.ToString(),
            FoundBy = location.Method,
            Entry = location.EntryName,
        },
    };

    /// <summary>The summary of a parsed package, or null when it has no single meta object.</summary>
    public static PackageSummary? From(ParsedPackage package, PackageLocation? location = null)
        => package.Meta is { } meta ? From(meta, package.Objects, location) : null;
}
