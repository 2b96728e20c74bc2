using Xpkg.Oci;

namespace Xpkg.Install.Sources;

/// <summary>
/// A package reference resolved to its root descriptor, with content complete in the cache so the package
/// can be read from there.
/// </summary>
/// <param name="Reference">The reference that was resolved (after any ImageConfig rewrite).</param>
/// <param name="Root">The manifest or index the reference names.</param>
/// <param name="Origin">Whether a registry was contacted.</param>
/// <param name="Explanation">Why the source answered as it did, for <c>--explain</c>.</param>
public sealed record ResolvedImage(ImageReference Reference, Descriptor Root, ImageOrigin Origin, string Explanation)
{
    public Digest Digest => Root.Digest;

    /// <summary><c>registry/repository@sha256:…</c>: what a node pulls without ever resolving a tag again.</summary>
    public string PinnedReference => Reference.Name + "@" + Root.Digest;
}
