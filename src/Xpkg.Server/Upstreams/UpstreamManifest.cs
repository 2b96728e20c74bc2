using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>A manifest or index as an upstream holds it: its descriptor and exactly those bytes, already verified.</summary>
public sealed record UpstreamManifest(Descriptor Descriptor, byte[] Bytes);
