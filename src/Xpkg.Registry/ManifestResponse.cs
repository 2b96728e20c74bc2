using Xpkg.Oci;

namespace Xpkg.Registry;

/// <summary>A manifest or index as fetched: its descriptor (digest and size of exactly these bytes) and the bytes.</summary>
public sealed record ManifestResponse(Descriptor Descriptor, ReadOnlyMemory<byte> Bytes)
{
    public ParsedManifest Parse() => ParsedManifest.Parse(Bytes.Span, Descriptor.MediaType);
}
