namespace Xpkg.Oci.Content;

/// <summary>A source that can list the manifests whose <c>subject</c> is a given manifest (signatures, SBOMs).</summary>
public interface IReferrersSource
{
    /// <summary>False for a wrapper whose inner source cannot list referrers.</summary>
    bool ListsReferrers => true;

    /// <summary>The referrers of <paramref name="subject"/> as the source lists them; empty when it has none.</summary>
    Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken);
}
