using System.Text.Json.Serialization;

namespace Xpkg.Packages.Inspection;

public sealed record BaseLayerSummary
{
    [JsonPropertyName("digest")]
    public required string Digest { get; init; }

    /// <summary><c>annotation</c>, <c>label</c> or <c>flattened</c>.</summary>
    [JsonPropertyName("foundBy")]
    public required string FoundBy { get; init; }

    [JsonPropertyName("entry")]
    public required string Entry { get; init; }
}
