using Xpkg.Oci;

namespace Xpkg.Server;

/// <summary>A small manifest's verified bytes with its header values formatted once, to answer GETs from memory.</summary>
public sealed class ServedManifest(Digest digest, byte[] content)
{
    public ReadOnlyMemory<byte> Content => content;

    public string Digest { get; } = digest.ToString();

    public string ETag { get; } = "\"" + digest + "\"";
}
