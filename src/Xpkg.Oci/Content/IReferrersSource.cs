namespace Xpkg.Oci.Content;

/// <summary>A source that can list the manifests whose <c>subject</c> is a given manifest (signatures, SBOMs).</summary>
public interface IReferrersSource
{
    /// <summary>The referrers of <paramref name="subject"/> as the source lists them; empty when it has none.</summary>
    Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken);
}
