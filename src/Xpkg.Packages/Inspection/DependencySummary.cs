using System.Text.Json.Serialization;

namespace Xpkg.Packages.Inspection;

public sealed record DependencySummary
{
    [JsonPropertyName("apiVersion")]
    public string? ApiVersion { get; init; }

    /// <summary><c>Provider</c>, <c>Configuration</c> or <c>Function</c>; null for an invalid dependency.</summary>
    [JsonPropertyName("kind")]
    public string? Kind { get; init; }

    [JsonPropertyName("package")]
    public string? Package { get; init; }

    [JsonPropertyName("version")]
    public required string Version { get; init; }

    public static DependencySummary From(PackageDependency d) => new()
    {
        ApiVersion = d.IsExplicit ? d.ApiVersion : null,
        Kind = d.IsExplicit ? d.Kind : d.PackageKind?.ToString(),
        Package = d.PackageReference,
        Version = d.Version,
    };
}
