using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages.Building;

/// <summary>
/// An image to embed (<c>--embed-runtime-image</c>, <c>--embed-runtime-image-tarball</c>): its layers come first
/// and its config is kept, so the package is also the runnable Function or Provider image.
/// </summary>
/// <param name="Source">Where its config and layers are read from (the cache, an archive).</param>
/// <param name="Manifest">The descriptor of its image manifest (not an index: pick a platform first).</param>
/// <param name="ManifestBytes">The manifest itself.</param>
public sealed record RuntimeImage(IContentSource Source, Descriptor Manifest, ReadOnlyMemory<byte> ManifestBytes);
