namespace Xpkg.Oci.Content;

/// <summary>
/// A target refused a manifest because it lacks content the copy had already placed or found there: the target
/// moved during the copy, as a push does when it falls through to another endpoint. The copy engine sends
/// <see cref="Missing"/> again, then the manifest once more.
/// </summary>
public sealed class MissingAtTargetException(Descriptor manifest, IReadOnlyList<Descriptor> missing, string target)
    : XpkgException($"{target} lacks {missing.Count} of the blobs manifest {manifest.Digest} names")
{
    public IReadOnlyList<Descriptor> Missing { get; } = missing;
}
