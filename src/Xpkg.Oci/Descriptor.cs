using System.Text.Json.Serialization;

namespace Xpkg.Oci;

/// <summary>An OCI content descriptor: what a manifest or index says about one piece of content.</summary>
public sealed record Descriptor
{
    [JsonPropertyName("mediaType")]
    public required string MediaType { get; init; }

    [JsonPropertyName("digest")]
    public required Digest Digest { get; init; }

    [JsonPropertyName("size")]
    public required long Size { get; init; }

    [JsonPropertyName("urls")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Urls { get; init; }

    [JsonPropertyName("annotations")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, string>? Annotations { get; init; }

    [JsonPropertyName("platform")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Platform? Platform { get; init; }

    [JsonPropertyName("artifactType")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? ArtifactType { get; init; }

    public string? Annotation(string key)
        => Annotations is not null && Annotations.TryGetValue(key, out var v) ? v : null;

    /// <summary>A descriptor for bytes we hold in memory, e.g. a config we generated.</summary>
    public static Descriptor For(string mediaType, ReadOnlySpan<byte> content)
        => new() { MediaType = mediaType, Digest = Digest.Compute(content), Size = content.Length };
}

public sealed class DigestJsonConverter : JsonConverter<Digest>
{
    public override Digest Read(ref System.Text.Json.Utf8JsonReader reader, Type typeToConvert, System.Text.Json.JsonSerializerOptions options)
    {
        string? s = reader.GetString();
        return Digest.TryParse(s, out var d, out var reason)
            ? d
            : throw new System.Text.Json.JsonException($"invalid digest \"{s}\": {reason}");
    }

    public override void Write(System.Text.Json.Utf8JsonWriter writer, Digest value, System.Text.Json.JsonSerializerOptions options)
        => writer.WriteStringValue(value.ToString());
}
