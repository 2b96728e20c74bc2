using Xpkg.Oci;

namespace Xpkg.Transfer;

public sealed record CopyResult(Descriptor Root, int BlobsCopied, int BlobsSkipped, long BytesCopied, IReadOnlyList<Descriptor> Missing);
