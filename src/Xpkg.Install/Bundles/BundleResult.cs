using Xpkg.Install.Resolution;
using Xpkg.Store;

namespace Xpkg.Install.Bundles;

/// <summary>What a bundle holds: the resolved closure, and every image written with the name it carries.</summary>
public sealed record BundleResult(string File, IReadOnlyList<PackageNode> Packages, IReadOnlyList<StoredReference> Images);
