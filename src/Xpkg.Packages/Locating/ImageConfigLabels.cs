using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages.Locating;

/// <summary>Reads <c>config.Labels</c> of an image config blob (Docker and OCI configs agree on that field).</summary>
public static class ImageConfigLabels
{
    /// <summary>Image configs are small; anything larger is not one.</summary>
    public const int MaxConfigBytes = 8 << 20;

    public static async Task<IReadOnlyDictionary<string, string>> ReadAsync(IContentSource source, Descriptor config, CancellationToken cancellationToken)
    {
        if (config.Size > MaxConfigBytes)
        {
            throw new InvalidInputException($"image config {config.Digest} is {config.Size} bytes, over the {MaxConfigBytes} byte limit");
        }

        byte[] bytes = new byte[config.Size];
        await using (var raw = await source.OpenAsync(config, cancellationToken).ConfigureAwait(false))
        await using (var verified = new VerifyingStream(raw, config.Digest, config.Size, leaveOpen: true))
        {
            await verified.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            await verified.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        }

        return Parse(bytes, config.Digest);
    }

    public static IReadOnlyDictionary<string, string> Parse(ReadOnlySpan<byte> json, Digest digest)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            var reader = new Utf8JsonReader(json);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("config", out var config) && config.ValueKind == JsonValueKind.Object
                && config.TryGetProperty("Labels", out var map) && map.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in map.EnumerateObject())
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        labels[p.Name] = p.Value.GetString()!;
                    }
                }
            }
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"image config {digest} is not valid JSON: {e.Message}", inner: e);
        }

        return labels;
    }
}
