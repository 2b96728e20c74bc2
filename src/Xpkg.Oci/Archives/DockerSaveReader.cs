using System.Text.Json;
using System.Text.RegularExpressions;

namespace Xpkg.Oci.Archives;

/// <summary>
/// docker-save tarballs without an OCI index: the legacy shape (<c>&lt;id&gt;/layer.tar</c>, <c>&lt;hex&gt;.json</c>)
/// and go-containerregistry's (config <c>sha256:&lt;hex&gt;</c>, layers <c>&lt;hex&gt;.tar.gz</c>, used by
/// Crossplane <c>.xpkg</c> files). They carry no registry manifest, so one is synthesised, byte for byte
/// the way go-containerregistry does, which gives an <c>.xpkg</c> the digest the Crossplane CLI reported.
/// </summary>
internal static partial class DockerSaveReader
{
    public static void Read(TarIndex files, ImageArchive archive)
    {
        List<DockerArchiveManifestEntry>? entries;
        try
        {
            entries = JsonSerializer.Deserialize(files.ReadSmall("manifest.json"), OciJsonContext.Default.ListDockerArchiveManifestEntry);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{files.Location}: manifest.json is not valid: {e.Message}");
        }

        if (entries is null || entries.Count == 0)
        {
            throw new InvalidInputException($"{files.Location}: manifest.json lists no images");
        }

        foreach (var entry in entries)
        {
            var root = Synthesise(files, archive, entry);
            archive.AddImage(new ArchiveImage(root, entry.RepoTags ?? []));
        }

        archive.AddNote("the docker-save archive carries no registry manifest; a Docker v2 schema 2 manifest was synthesised from manifest.json");
    }

    private static Descriptor Synthesise(TarIndex files, ImageArchive archive, DockerArchiveManifestEntry entry)
    {
        byte[] config = files.ReadSmall(entry.Config);
        var configDigest = Digest.Compute(config);
        if (DigestFromName(entry.Config) is { } named && named != configDigest)
        {
            throw new DigestMismatchException($"{files.Location}: config \"{entry.Config}\" has digest {configDigest}, not the {named} its name says");
        }

        archive.AddBlob(configDigest, entry.Config);
        var diffIds = ReadDiffIds(files.Location, config);
        if (diffIds.Count != entry.Layers.Count)
        {
            throw new InvalidInputException($"{files.Location}: config lists {diffIds.Count} diff_ids but manifest.json lists {entry.Layers.Count} layers");
        }

        var layers = new List<Descriptor>();
        for (int i = 0; i < entry.Layers.Count; i++)
        {
            layers.Add(ReadLayer(files, archive, entry.Layers[i], diffIds[i]));
        }

        byte[] manifest = ImageManifestWriter.Write(MediaTypes.DockerManifest, new Descriptor { MediaType = MediaTypes.DockerConfig, Digest = configDigest, Size = config.Length }, layers);
        var root = Descriptor.For(MediaTypes.DockerManifest, manifest);
        archive.AddGenerated(root.Digest, manifest);
        return root;
    }

    private static Descriptor ReadLayer(TarIndex files, ImageArchive archive, string name, Digest diffId)
    {
        if (!files.Exists(name))
        {
            throw new InvalidInputException($"{files.Location}: missing layer \"{name}\"");
        }

        long size = files.Length(name);
        var compression = DetectCompression(files, name);
        Digest digest;
        if (compression == Compression.None)
        {
            // An uncompressed layer's digest is its diff_id; the copy verifies the bytes against it.
            digest = diffId;
            if (DigestFromName(name) is { } named && named != diffId)
            {
                throw new DigestMismatchException($"{files.Location}: layer \"{name}\" is named {named} but the config's diff_id is {diffId}");
            }
        }
        else
        {
            using (var s = files.Open(name))
            {
                digest = LayerDigests.Compute(s, diffId.Algorithm);
            }

            if (DigestFromName(name) is { } named && named != digest)
            {
                throw new DigestMismatchException($"{files.Location}: layer \"{name}\" has digest {digest}, not the {named} its name says");
            }

            using var layer = files.Open(name);
            var actualDiffId = LayerDigests.ComputeUncompressed(layer, compression, size, diffId.Algorithm, $"{files.Location}: layer \"{name}\"");
            if (actualDiffId != diffId)
            {
                throw new DigestMismatchException($"{files.Location}: layer \"{name}\" uncompresses to {actualDiffId}, but the config's diff_id is {diffId}");
            }
        }

        archive.AddBlob(digest, name);
        string mediaType = compression switch
        {
            Compression.Gzip => MediaTypes.DockerLayerGzip,
            Compression.Zstd => MediaTypes.OciLayerZstd,
            _ => MediaTypes.DockerLayer,
        };
        return new Descriptor { MediaType = mediaType, Digest = digest, Size = size };
    }

    private static Compression DetectCompression(TarIndex files, string name)
    {
        Span<byte> magic = stackalloc byte[4];
        using var s = files.Open(name);
        int n = s.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        return LayerDigests.DetectCompression(magic[..n]);
    }

    private static List<Digest> ReadDiffIds(string location, byte[] config)
    {
        try
        {
            using var doc = JsonDocument.Parse(config);
            if (!doc.RootElement.TryGetProperty("rootfs", out var rootfs) || !rootfs.TryGetProperty("diff_ids", out var ids) || ids.ValueKind != JsonValueKind.Array)
            {
                throw new InvalidInputException($"{location}: image config has no rootfs.diff_ids");
            }

            return ids.EnumerateArray().Select(e => Digest.Parse(e.GetString() ?? "")).ToList();
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{location}: image config is not valid JSON: {e.Message}");
        }
    }

    /// <summary>The digest a docker-save entry name encodes, if it encodes one.</summary>
    internal static Digest? DigestFromName(string name)
    {
        var m = NamedDigestRegex().Match(name);
        return m.Success && Digest.TryParse("sha256:" + m.Groups["hex"].Value, out var d) ? d : null;
    }

    [GeneratedRegex(@"^(?:(?:blobs/)?sha256[:/])?(?<hex>[0-9a-f]{64})(?:\.tar(?:\.gz)?|\.json)?$")]
    private static partial Regex NamedDigestRegex();
}
