using Xpkg.Oci;

namespace Xpkg.Install.Bundles;

/// <summary>An index bundled with only some of its manifests, because the cache holds only those.</summary>
/// <param name="Reference">The image as the bundle names it.</param>
/// <param name="Digest">The index.</param>
/// <param name="Included">The platforms (or digests, for manifests that declare none) in the bundle.</param>
/// <param name="Missing">The ones the index lists but the cache, and so the bundle, lacks.</param>
public sealed record PartialIndex(string Reference, Digest Digest, IReadOnlyList<string> Included, IReadOnlyList<string> Missing);
