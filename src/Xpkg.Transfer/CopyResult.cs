using Xpkg.Oci;

namespace Xpkg.Transfer;

public sealed record CopyResult(Descriptor Root, int BlobsCopied, int BlobsSkipped, long BytesCopied, IReadOnlyList<Descriptor> Missing)
{
    /// <summary>The referrers copied (or found present) with <see cref="CopyOptions.ReferrersDepth"/>.</summary>
    public IReadOnlyList<Descriptor> Referrers { get; init; } = [];
}
