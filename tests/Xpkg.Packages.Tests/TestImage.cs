using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Xpkg.Oci;

namespace Xpkg.Packages.Tests;

/// <summary>Builds small images in memory: layers from (name, content) entries, a config with labels, a manifest.</summary>
internal sealed class TestImage
{
    private readonly List<(Descriptor Layer, Dictionary<string, string>? Annotations)> _layers = [];
    private readonly Dictionary<string, string> _labels = [];

    public InMemoryContentSource Source { get; } = new();

    public IReadOnlyList<Descriptor> Layers => _layers.Select(l => l.Layer).ToList();

    public static byte[] Tar(params (string Name, string? Content)[] entries)
    {
        using var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var (name, content) in entries)
            {
                var entry = new PaxTarEntry(content is null ? TarEntryType.Directory : TarEntryType.RegularFile, name);
                if (content is not null)
                {
                    entry.DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content));
                }

                w.WriteEntry(entry);
            }
        }

        return ms.ToArray();
    }

    public static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    public static byte[] Zstd(byte[] data)
    {
        using var compressor = new ZstdSharp.Compressor();
        return compressor.Wrap(data).ToArray();
    }

    public Descriptor AddLayer(byte[] blob, string? annotation = null, string? label = null, string mediaType = MediaTypes.OciLayerGzip)
    {
        var d = Source.Add(blob, mediaType);
        _layers.Add((d, annotation is null ? null : new() { [PackageNames.AnnotationKey] = annotation }));
        if (label is not null)
        {
            _labels[PackageNames.AnnotationKey + ":" + d.Digest] = label;
        }

        return d;
    }

    public void AddLabel(string key, string value) => _labels[key] = value;

    /// <summary>Writes config and manifest; returns the manifest descriptor and bytes.</summary>
    public (Descriptor Root, byte[] Manifest) Build()
    {
        var labels = new JsonObject();
        foreach (var (k, v) in _labels)
        {
            labels[k] = v;
        }

        var config = new JsonObject
        {
            ["architecture"] = "amd64",
            ["os"] = "linux",
            ["rootfs"] = new JsonObject { ["type"] = "layers", ["diff_ids"] = new JsonArray() },
            ["config"] = new JsonObject { ["Labels"] = labels },
        };
        var configDescriptor = Source.Add(Encoding.UTF8.GetBytes(config.ToJsonString()), MediaTypes.OciConfig);
        var layers = new JsonArray();
        foreach (var (layer, annotations) in _layers)
        {
            var o = new JsonObject { ["mediaType"] = layer.MediaType, ["digest"] = layer.Digest.ToString(), ["size"] = layer.Size };
            if (annotations is not null)
            {
                o["annotations"] = new JsonObject(annotations.Select(a => KeyValuePair.Create(a.Key, (JsonNode?)a.Value)));
            }

            layers.Add(o);
        }

        var manifest = new JsonObject
        {
            ["schemaVersion"] = 2,
            ["mediaType"] = MediaTypes.OciManifest,
            ["config"] = new JsonObject { ["mediaType"] = MediaTypes.OciConfig, ["digest"] = configDescriptor.Digest.ToString(), ["size"] = configDescriptor.Size },
            ["layers"] = layers,
        };
        byte[] bytes = Encoding.UTF8.GetBytes(manifest.ToJsonString());
        return (Source.Add(bytes, MediaTypes.OciManifest), bytes);
    }
}
