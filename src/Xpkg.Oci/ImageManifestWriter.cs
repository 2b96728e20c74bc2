using System.Text.Encodings.Web;
using System.Text.Json;

namespace Xpkg.Oci;

/// <summary>
/// Writes image manifests exactly as go-containerregistry's <c>v1.Manifest</c> marshals: compact JSON, member
/// order schemaVersion, mediaType, config, layers, descriptor order mediaType, size, digest, urls, annotations
/// (keys sorted), and no escaping of '+'. Digests then agree with what the Crossplane CLI reports.
/// </summary>
public static class ImageManifestWriter
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// An image manifest: Docker schema 2 unless <paramref name="mediaType"/> says OCI (an OCI runtime image),
    /// with the descriptor fields in go-containerregistry's order (mediaType, size, digest).
    /// </summary>
    public static byte[] Write(string mediaType, Descriptor config, IEnumerable<Descriptor> layers)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", mediaType);
            w.WritePropertyName("config");
            WriteDescriptor(w, config);
            w.WriteStartArray("layers");
            foreach (var l in layers)
            {
                WriteDescriptor(w, l);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteDescriptor(Utf8JsonWriter w, Descriptor d)
    {
        w.WriteStartObject();
        w.WriteString("mediaType", d.MediaType);
        w.WriteNumber("size", d.Size);
        w.WriteString("digest", d.Digest.ToString());
        if (d.Urls is { Count: > 0 })
        {
            w.WriteStartArray("urls");
            foreach (string u in d.Urls)
            {
                w.WriteStringValue(u);
            }

            w.WriteEndArray();
        }

        if (d.Annotations is { Count: > 0 })
        {
            w.WriteStartObject("annotations");
            foreach (var (k, v) in d.Annotations.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    }
}
