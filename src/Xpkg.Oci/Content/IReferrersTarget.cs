namespace Xpkg.Oci.Content;

/// <summary>A target that can make copied referrers findable from their subject.</summary>
public interface IReferrersTarget
{
    /// <summary>
    /// Records that <paramref name="referrers"/> (already written, like <paramref name="subject"/>) refer to
    /// <paramref name="subject"/>: a registry without the referrers API gets the <c>sha256-&lt;hex&gt;</c> tag index.
    /// </summary>
    Task AddReferrersAsync(Descriptor subject, IReadOnlyList<Descriptor> referrers, string source, CancellationToken cancellationToken);
}
