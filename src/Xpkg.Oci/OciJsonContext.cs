using System.Text.Json.Serialization;

namespace Xpkg.Oci;

/// <summary>Source-generated JSON metadata: no reflection at start-up, and trimming/AOT safe.</summary>
// '+' in media types stays '+': other tools compare these files byte for byte.
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(Descriptor))]
[JsonSerializable(typeof(List<Descriptor>))]
[JsonSerializable(typeof(Dictionary<string, string>))]
[JsonSerializable(typeof(Platform))]
[JsonSerializable(typeof(OciIndexDocument))]
[JsonSerializable(typeof(OciLayoutFile))]
[JsonSerializable(typeof(List<DockerArchiveManifestEntry>))]
public sealed partial class OciJsonContext : JsonSerializerContext
{
    /// <summary>Options that write JSON the way Go's encoding does for our content: no escaping of '+', '&lt;' or '&gt;'.</summary>
    public static OciJsonContext Relaxed { get; } = new(new System.Text.Json.JsonSerializerOptions
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}

/// <summary>An OCI image index as we write it (index.json of a layout).</summary>
public sealed class OciIndexDocument
{
    [JsonPropertyName("schemaVersion")]
    public int SchemaVersion { get; set; } = 2;

    [JsonPropertyName("mediaType")]
    public string? MediaType { get; set; } = MediaTypes.OciIndex;

    [JsonPropertyName("manifests")]
    public List<Descriptor> Manifests { get; set; } = [];

    [JsonPropertyName("annotations")]
    public Dictionary<string, string>? Annotations { get; set; }
}

/// <summary>The <c>oci-layout</c> marker file.</summary>
public sealed class OciLayoutFile
{
    [JsonPropertyName("imageLayoutVersion")]
    public string ImageLayoutVersion { get; set; } = "1.0.0";
}

/// <summary>One entry of a docker-save <c>manifest.json</c>.</summary>
public sealed class DockerArchiveManifestEntry
{
    [JsonPropertyName("Config")]
    public string Config { get; set; } = "";

    [JsonPropertyName("RepoTags")]
    public List<string>? RepoTags { get; set; }

    [JsonPropertyName("Layers")]
    public List<string> Layers { get; set; } = [];

    [JsonPropertyName("LayerSources")]
    public Dictionary<string, Descriptor>? LayerSources { get; set; }
}
