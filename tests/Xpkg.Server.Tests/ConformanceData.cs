using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>
/// The test data of the distribution-spec conformance suite (v1.1.1), built the same way: per-run random
/// configs (so digests are unique), one tiny gzip layer, pretty-printed manifests whose config descriptor
/// carries a <c>data</c> field and an unknown field, random blobs for the push checks, and the referrers set.
/// </summary>
public sealed class ConformanceData
{
    public const string ArtifactTypeA = "application/vnd.nhl.peanut.butter.bagel";
    public const string ArtifactTypeB = "application/vnd.nba.strawberry.jam.croissant";
    public const string ArtifactTypeIndex = "application/vnd.food.stand";
    public const string AnnotationKey = "org.opencontainers.conformance.test";
    public const string InvalidManifestName = ".INVALID_MANIFEST_NAME";

    public static readonly Digest DummyDigest = Digest.Compute("hello world"u8);
    public static readonly byte[] EmptyJson = "{}"u8.ToArray();

    public ConformanceData()
    {
        Layer = MakeLayer();
        for (int i = 0; i < 5; i++)
        {
            Configs[i] = MakeConfig();
            Manifests[i] = MakeManifest(Configs[i], Layer);
        }

        EmptyLayerManifest = Encoding.UTF8.GetBytes(
            "{\n\t\"schemaVersion\": 2,\n\t\"config\": " + DescriptorJson(MediaTypes.OciConfig, Configs[1], "\t") + ",\n\t\"layers\": []\n}");
        BlobA = RandomNumberGenerator.GetBytes(42);
        BlobB = RandomNumberGenerator.GetBytes(42);

        var subject = Reference(Manifests[4], MediaTypes.OciManifest);
        ReferrerAConfig = ArtifactManifest(null, ArtifactTypeA, EmptyJson, MediaTypes.OciEmpty, EmptyJson, subject, "A-config");
        ReferrerALayer = ArtifactManifest(ArtifactTypeA, MediaTypes.OciEmpty, EmptyJson, ArtifactTypeA, Encoding.UTF8.GetBytes("a layer"), subject, "A-layer");
        ReferrerIndex = Encoding.UTF8.GetBytes("{\n\t\"schemaVersion\": 2,\n\t\"mediaType\": \"" + MediaTypes.OciIndex + "\",\n\t\"artifactType\": \"" + ArtifactTypeIndex
            + "\",\n\t\"manifests\": [" + Reference(ReferrerAConfig, MediaTypes.OciManifest) + ", " + Reference(ReferrerALayer, MediaTypes.OciManifest)
            + "],\n\t\"subject\": " + subject + ",\n\t\"annotations\": {\"" + AnnotationKey + "\": \"index\"}\n}");
        ReferrerBConfig = ArtifactManifest(null, ArtifactTypeB, EmptyJson, MediaTypes.OciEmpty, EmptyJson, subject, "B-config");
        ReferrerBLayer = ArtifactManifest(ArtifactTypeB, MediaTypes.OciEmpty, EmptyJson, ArtifactTypeB, Encoding.UTF8.GetBytes("b layer"), subject, "B-layer");
        ReferrerC = ArtifactManifest(ArtifactTypeB, MediaTypes.OciEmpty, EmptyJson, ArtifactTypeB, Encoding.UTF8.GetBytes("c layer"),
            Reference(Manifests[3], MediaTypes.OciManifest), "C-layer");
    }

    public byte[][] Configs { get; } = new byte[5][];

    public byte[][] Manifests { get; } = new byte[5][];

    public byte[] Layer { get; }

    public byte[] EmptyLayerManifest { get; }

    public byte[] BlobA { get; }

    public byte[] BlobB { get; }

    public byte[] ReferrerAConfig { get; }

    public byte[] ReferrerALayer { get; }

    public byte[] ReferrerIndex { get; }

    public byte[] ReferrerBConfig { get; }

    public byte[] ReferrerBLayer { get; }

    public byte[] ReferrerC { get; }

    /// <summary>Blobs the referrer artifacts use: the empty JSON and their small layers.</summary>
    public IEnumerable<byte[]> ReferrerBlobs => [EmptyJson, Encoding.UTF8.GetBytes("a layer"), Encoding.UTF8.GetBytes("b layer"), Encoding.UTF8.GetBytes("c layer")];

    public static Digest DigestOf(byte[] content) => Digest.Compute(content);

    private static byte[] MakeConfig()
    {
        string author = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
        return Encoding.UTF8.GetBytes(
            "{\n\t\"author\": \"" + author + "\",\n\t\"architecture\": \"amd64\",\n\t\"os\": \"linux\",\n\t\"rootfs\": {\n\t\t\"type\": \"layers\",\n\t\t\"diff_ids\": []\n\t}\n}");
    }

    private static byte[] MakeLayer()
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal, leaveOpen: true))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar, leaveOpen: true))
        {
            var entry = new UstarTarEntry(TarEntryType.RegularFile, "hello.txt")
            {
                DataStream = new MemoryStream("Hello, conformance!\n"u8.ToArray()),
                ModificationTime = DateTimeOffset.UnixEpoch,
            };
            tar.WriteEntry(entry);
        }

        return output.ToArray();
    }

    private static byte[] MakeManifest(byte[] config, byte[] layer)
        => Encoding.UTF8.GetBytes(
            "{\n\t\"schemaVersion\": 2,\n\t\"mediaType\": \"" + MediaTypes.OciManifest + "\",\n\t\"config\": "
            + DescriptorJson(MediaTypes.OciConfig, config, "\t", withData: true)
            + ",\n\t\"layers\": [\n\t\t" + DescriptorJson(MediaTypes.OciLayerGzip, layer, "\t\t") + "\n\t]\n}");

    private static string DescriptorJson(string mediaType, byte[] content, string indent, bool withData = false)
    {
        var sb = new StringBuilder("{\n");
        sb.Append(indent).Append("\t\"mediaType\": \"").Append(mediaType).Append("\",\n");
        sb.Append(indent).Append("\t\"digest\": \"").Append(Digest.Compute(content)).Append("\",\n");
        sb.Append(indent).Append("\t\"size\": ").Append(content.Length);
        if (withData)
        {
            sb.Append(",\n").Append(indent).Append("\t\"data\": \"").Append(Convert.ToBase64String(content)).Append('"');
            sb.Append(",\n").Append(indent).Append("\t\"newUnspecifiedField\": \"").Append("this is not in the spec").Append('"');
        }

        return sb.Append('\n').Append(indent).Append('}').ToString();
    }

    private static string Reference(byte[] manifest, string mediaType)
        => "{\"mediaType\": \"" + mediaType + "\", \"digest\": \"" + Digest.Compute(manifest) + "\", \"size\": " + manifest.Length + "}";

    private static byte[] ArtifactManifest(string? artifactType, string configType, byte[] config, string layerType, byte[] layer, string subject, string annotation)
        => Encoding.UTF8.GetBytes(
            "{\n\t\"schemaVersion\": 2,\n\t\"mediaType\": \"" + MediaTypes.OciManifest + "\",\n"
            + (artifactType is null ? "" : "\t\"artifactType\": \"" + artifactType + "\",\n")
            + "\t\"config\": {\"mediaType\": \"" + configType + "\", \"digest\": \"" + Digest.Compute(config) + "\", \"size\": " + config.Length + "},\n"
            + "\t\"layers\": [{\"mediaType\": \"" + layerType + "\", \"digest\": \"" + Digest.Compute(layer) + "\", \"size\": " + layer.Length + "}],\n"
            + "\t\"subject\": " + subject + ",\n"
            + "\t\"annotations\": {\"" + AnnotationKey + "\": \"" + annotation + "\"}\n}");
}
