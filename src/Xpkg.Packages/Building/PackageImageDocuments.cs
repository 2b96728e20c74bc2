using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xpkg.Oci;

namespace Xpkg.Packages.Building;

/// <summary>
/// Writes the config and manifest of a package image as go-containerregistry does for
/// <c>crossplane xpkg build</c>: compact JSON in Go's field order, a zero <c>created</c> time, one history
/// entry per layer, <c>rootfs.diff_ids</c>, and each package layer named by a config label
/// <c>io.crossplane.xpkg:&lt;compressed layer digest&gt;</c>. Without a runtime image the result is
/// byte-identical to the Go CLI's for the same layers.
/// </summary>
public static class PackageImageDocuments
{
    private const string ZeroTime = "0001-01-01T00:00:00Z";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The config of an image made of <paramref name="layers"/> only (Crossplane's empty base).</summary>
    public static byte[] EmptyBaseConfig(IReadOnlyList<PackageLayer> layers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("architecture", "");
            w.WriteString("created", ZeroTime);
            w.WriteStartArray("history");
            foreach (var _ in layers)
            {
                w.WriteStartObject();
                w.WriteString("created", ZeroTime);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("os", "");
            w.WriteStartObject("rootfs");
            w.WriteString("type", "layers");
            w.WriteStartArray("diff_ids");
            foreach (var l in layers)
            {
                w.WriteStringValue(l.DiffId.ToString());
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("config");
            w.WriteStartObject("Labels");
            foreach (var (key, value) in Labels(layers))
            {
                w.WriteString(key, value);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The config of a runtime image with the package layers appended: its other fields are kept, history
    /// and <c>diff_ids</c> grow, and the package labels join its labels.
    /// </summary>
    public static byte[] RuntimeBaseConfig(ReadOnlySpan<byte> runtimeConfig, IReadOnlyList<PackageLayer> layers)
    {
        JsonObject config;
        try
        {
            config = JsonNode.Parse(runtimeConfig) as JsonObject ?? throw new InvalidInputException("runtime image config is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"runtime image config is not valid JSON: {e.Message}", inner: e);
        }

        var history = config["history"] as JsonArray ?? [];
        var rootfs = config["rootfs"] as JsonObject ?? new JsonObject { ["type"] = "layers" };
        var diffIds = rootfs["diff_ids"] as JsonArray ?? [];
        var inner = config["config"] as JsonObject ?? [];
        var labels = inner["Labels"] as JsonObject ?? [];
        foreach (var l in layers)
        {
            history.Add(new JsonObject { ["created"] = ZeroTime });
            diffIds.Add(l.DiffId.ToString());
        }

        foreach (var (key, value) in Labels(layers))
        {
            labels[key] = value;
        }

        rootfs["diff_ids"] = diffIds;
        config["history"] = history;
        config["rootfs"] = rootfs;
        inner["Labels"] = labels;
        config["config"] = inner;
        return Serialize(config);
    }

    /// <summary>An image manifest, byte for byte as go-containerregistry writes it.</summary>
    public static byte[] Manifest(string mediaType, Descriptor config, IEnumerable<Descriptor> layers)
        => ImageManifestWriter.Write(mediaType, config, layers);

    // Go marshals maps with sorted keys.
    private static IEnumerable<KeyValuePair<string, string>> Labels(IEnumerable<PackageLayer> layers)
        => layers.Select(l => KeyValuePair.Create(PackageNames.AnnotationKey + ":" + l.Descriptor.Digest, l.Role))
            .OrderBy(p => p.Key, StringComparer.Ordinal);

    private static byte[] Serialize(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            node.WriteTo(w);
        }

        return buffer.ToArray();
    }
}
