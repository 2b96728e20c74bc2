using Xpkg.Install.Resolution;
using Xpkg.Store;

namespace Xpkg.Install.Bundles;

/// <summary>
/// What a bundle holds: the resolved closure, every image written with the name it carries, and the indexes
/// written with only the manifests the cache held.
/// </summary>
public sealed record BundleResult(string File, IReadOnlyList<PackageNode> Packages, IReadOnlyList<StoredReference> Images, IReadOnlyList<PartialIndex> Partial);
