using System.Formats.Tar;
using System.IO.Compression;
using System.Text;
using Xpkg.Oci;

namespace Xpkg.Registry.Tests.Support;

/// <summary>A small single-layer OCI image built in memory, writable as an OCI image layout for skopeo.</summary>
public sealed class TestImage
{
    private TestImage(Descriptor layer, byte[] layerBytes, Descriptor config, byte[] configBytes, Descriptor manifest, byte[] manifestBytes)
    {
        Layer = layer;
        LayerBytes = layerBytes;
        Config = config;
        ConfigBytes = configBytes;
        Manifest = manifest;
        ManifestBytes = manifestBytes;
    }

    public Descriptor Layer { get; }
    public byte[] LayerBytes { get; }
    public Descriptor Config { get; }
    public byte[] ConfigBytes { get; }
    public Descriptor Manifest { get; }
    public byte[] ManifestBytes { get; }

    public IEnumerable<(Descriptor, byte[])> Blobs => [(Layer, LayerBytes), (Config, ConfigBytes)];

    /// <summary>A gzip layer with one file of <paramref name="payloadBytes"/> random (incompressible) bytes.</summary>
    public static TestImage Create(int payloadBytes, int seed)
    {
        byte[] payload = new byte[payloadBytes];
        new Random(seed).NextBytes(payload);
        using var tar = new MemoryStream();
        using (var writer = new TarWriter(tar, TarEntryFormat.Ustar, leaveOpen: true))
        {
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "payload.bin") { DataStream = new MemoryStream(payload), ModificationTime = DateTimeOffset.UnixEpoch });
        }

        byte[] uncompressed = tar.ToArray();
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(uncompressed);
        }

        byte[] layerBytes = gz.ToArray();
        var layer = Descriptor.For(MediaTypes.OciLayerGzip, layerBytes);
        byte[] configBytes = Encoding.UTF8.GetBytes(
            """{"architecture":"amd64","os":"linux","config":{},"rootfs":{"type":"layers","diff_ids":[""" + $"\"{Digest.Compute(uncompressed)}\"" + "]}}");
        var config = Descriptor.For(MediaTypes.OciConfig, configBytes);
        byte[] manifestBytes = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","config":{{Json(config)}},"layers":[{{Json(layer)}}]}""");
        return new TestImage(layer, layerBytes, config, configBytes, Descriptor.For(MediaTypes.OciManifest, manifestBytes), manifestBytes);
    }

    /// <summary>Writes an OCI image layout with this image tagged <paramref name="tag"/>.</summary>
    public void WriteLayout(string dir, string tag)
    {
        Directory.CreateDirectory(Path.Combine(dir, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(dir, "oci-layout"), """{"imageLayoutVersion":"1.0.0"}""");
        foreach (var (d, bytes) in Blobs.Append((Manifest, ManifestBytes)))
        {
            File.WriteAllBytes(Path.Combine(dir, "blobs", "sha256", d.Digest.Encoded), bytes);
        }

        var entry = Manifest with { Annotations = new Dictionary<string, string> { ["org.opencontainers.image.ref.name"] = tag } };
        File.WriteAllText(Path.Combine(dir, "index.json"), $$"""{"schemaVersion":2,"manifests":[{{Json(entry)}}]}""");
    }

    /// <summary>Pushes this image through the client's copy-engine end, as the copy engine would: blobs, manifest, tag.</summary>
    public async Task PushAsync(RegistryRepository repo, string tag)
    {
        foreach (var (d, bytes) in Blobs)
        {
            if (!await repo.ExistsAsync(d, default))
            {
                await repo.WriteAsync(d, new MemoryStream(bytes), default);
            }
        }

        await repo.WriteAsync(Manifest, new MemoryStream(ManifestBytes), default);
        await repo.TagAsync(tag, Manifest, "test", default);
    }

    public static string Json(Descriptor d) => System.Text.Json.JsonSerializer.Serialize(d, OciJsonContext.Default.Descriptor);
}
