using System.Text.Json;

namespace Xpkg.Oci;

/// <summary>
/// The descriptors inside a manifest or index. Only what we need is parsed; the bytes themselves are kept
/// and moved untouched elsewhere, because the digest is of the bytes, not of any re-serialisation.
/// </summary>
public sealed class ParsedManifest
{
    /// <summary>Manifests up to this size are accepted (the distribution spec asks for at least 4 MB).</summary>
    public const int MaxBytes = 8 * 1024 * 1024;

    private ParsedManifest(string mediaType)
    {
        MediaType = mediaType;
    }

    public string MediaType { get; }

    public bool IsIndex => MediaTypes.IsIndex(MediaType);

    public Descriptor? Config { get; private init; }

    public IReadOnlyList<Descriptor> Layers { get; private init; } = [];

    public IReadOnlyList<Descriptor> Manifests { get; private init; } = [];

    public Descriptor? Subject { get; private init; }

    public string? ArtifactType { get; private init; }

    public IReadOnlyDictionary<string, string>? Annotations { get; private init; }

    /// <summary>What this document points at, excluding the subject (which it does not own).</summary>
    public IEnumerable<Descriptor> Children => IsIndex ? Manifests : (Config is null ? Layers : Layers.Prepend(Config));

    /// <summary>
    /// Parses manifest or index bytes. <paramref name="declaredMediaType"/> is what a descriptor or a
    /// Content-Type said; it must agree with the document's own <c>mediaType</c> when both exist.
    /// </summary>
    public static ParsedManifest Parse(ReadOnlySpan<byte> bytes, string? declaredMediaType = null)
    {
        if (bytes.Length > MaxBytes)
        {
            throw new InvalidInputException($"manifest is {bytes.Length} bytes, over the {MaxBytes} byte limit");
        }

        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var doc = JsonDocument.ParseValue(ref reader);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new InvalidInputException("manifest is not a JSON object");
            }

            if (root.TryGetProperty("schemaVersion", out var sv) && sv.ValueKind == JsonValueKind.Number && sv.GetInt32() == 1)
            {
                throw new InvalidInputException("Docker schema 1 manifests are not supported", "re-push the image with a current tool to get a schema 2 or OCI manifest");
            }

            string? own = root.TryGetProperty("mediaType", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
            if (own is not null && declaredMediaType is not null && MediaTypes.IsManifest(declaredMediaType) && own != declaredMediaType)
            {
                throw new InvalidInputException($"manifest says mediaType {own} but was declared as {declaredMediaType}");
            }

            string mediaType = own
                ?? (MediaTypes.IsManifest(declaredMediaType) ? declaredMediaType! : null)
                ?? (root.TryGetProperty("manifests", out _) ? MediaTypes.OciIndex : MediaTypes.OciManifest);
            if (!MediaTypes.IsManifest(mediaType))
            {
                throw new InvalidInputException($"unsupported manifest media type {mediaType}");
            }

            var result = new ParsedManifest(mediaType)
            {
                Config = MediaTypes.IsIndex(mediaType) ? null : ReadDescriptor(root, "config", required: true),
                Layers = MediaTypes.IsIndex(mediaType) ? [] : ReadDescriptors(root, "layers"),
                Manifests = MediaTypes.IsIndex(mediaType) ? ReadDescriptors(root, "manifests") : [],
                Subject = ReadDescriptor(root, "subject", required: false),
                ArtifactType = root.TryGetProperty("artifactType", out var at) && at.ValueKind == JsonValueKind.String ? at.GetString() : null,
                Annotations = root.TryGetProperty("annotations", out var an) && an.ValueKind == JsonValueKind.Object
                    ? an.Deserialize(OciJsonContext.Default.DictionaryStringString)
                    : null,
            };
            return result;
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"manifest is not valid JSON: {e.Message}", inner: e);
        }
    }

    private static Descriptor? ReadDescriptor(JsonElement root, string name, bool required)
    {
        if (!root.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return required ? throw new InvalidInputException($"manifest has no \"{name}\"") : null;
        }

        return el.Deserialize(OciJsonContext.Default.Descriptor)
            ?? throw new InvalidInputException($"manifest \"{name}\" is empty");
    }

    private static IReadOnlyList<Descriptor> ReadDescriptors(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var el) || el.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (el.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidInputException($"manifest \"{name}\" is not an array");
        }

        return el.Deserialize(OciJsonContext.Default.ListDescriptor) ?? [];
    }
}
