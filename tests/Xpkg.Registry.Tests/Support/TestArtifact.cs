using System.Text;
using Xpkg.Oci;

namespace Xpkg.Registry.Tests.Support;

/// <summary>
/// An OCI artifact manifest with a <c>subject</c>, made the way oras attaches a signature or an SBOM: the
/// empty config, one blob, an <c>artifactType</c>.
/// </summary>
public sealed class TestArtifact
{
    private static readonly byte[] EmptyConfig = "{}"u8.ToArray();

    private TestArtifact(Descriptor blob, byte[] blobBytes, Descriptor manifest, byte[] manifestBytes)
    {
        Blob = blob;
        BlobBytes = blobBytes;
        Manifest = manifest;
        ManifestBytes = manifestBytes;
    }

    public Descriptor Blob { get; }
    public byte[] BlobBytes { get; }
    public Descriptor Manifest { get; }
    public byte[] ManifestBytes { get; }

    public static TestArtifact Create(Descriptor subject, string artifactType, string content)
    {
        byte[] blobBytes = Encoding.UTF8.GetBytes(content);
        var blob = Descriptor.For("application/vnd.example.payload", blobBytes);
        var config = Descriptor.For(MediaTypes.OciEmpty, EmptyConfig);
        var subjectOnly = new Descriptor { MediaType = subject.MediaType, Digest = subject.Digest, Size = subject.Size };
        byte[] manifestBytes = Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","artifactType":"{{artifactType}}","config":{{TestImage.Json(config)}},"layers":[{{TestImage.Json(blob)}}],"subject":{{TestImage.Json(subjectOnly)}}}""");
        var manifest = Descriptor.For(MediaTypes.OciManifest, manifestBytes) with { ArtifactType = artifactType };
        return new TestArtifact(blob, blobBytes, manifest, manifestBytes);
    }

    /// <summary>Blobs and manifest by digest only: a registry without the referrers API does not know it refers to anything.</summary>
    public async Task PushAsync(RegistryRepository repo)
    {
        await repo.WriteAsync(Descriptor.For(MediaTypes.OciEmpty, EmptyConfig), new MemoryStream(EmptyConfig), default);
        await repo.WriteAsync(Blob, new MemoryStream(BlobBytes), default);
        await repo.WriteAsync(Manifest, new MemoryStream(ManifestBytes), default);
    }
}
