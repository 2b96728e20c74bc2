using Xpkg.Oci;

namespace Xpkg.Transfer;

public sealed record CopyOptions
{
    /// <summary>The platforms to keep from an index; null keeps every platform the source has.</summary>
    public IReadOnlyList<Platform>? Platforms { get; init; }

    /// <summary>Blobs moved at once.</summary>
    public int Jobs { get; init; } = 4;

    /// <summary>
    /// Whether an index may be copied while some of its manifests are absent from the source (as in
    /// <c>ctr images export</c> of one platform). The index is kept whole so its digest stays valid.
    /// </summary>
    public bool AllowSparseIndex { get; init; } = true;

    /// <summary>
    /// How many levels of referrers (manifests whose <c>subject</c> is a copied manifest: signatures, SBOMs, and
    /// their own referrers) to copy; 0 copies none.
    /// </summary>
    public int ReferrersDepth { get; init; }

    public ICopyObserver Observer { get; init; } = ICopyObserver.None;
}
