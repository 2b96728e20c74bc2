using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>A manifest to answer with: its descriptor (media type, digest, size) and its bytes.</summary>
internal sealed record ServedManifest(Descriptor Descriptor, byte[] Bytes);
