using System.Text.Json.Serialization;

namespace Xpkg.Packages.Inspection;

public sealed record ObjectSummary
{
    [JsonPropertyName("apiVersion")]
    public required string ApiVersion { get; init; }

    [JsonPropertyName("kind")]
    public required string Kind { get; init; }

    [JsonPropertyName("name")]
    public required string Name { get; init; }
}
