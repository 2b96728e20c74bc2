using Xpkg.Install.Input;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Install.Sources;

/// <summary>
/// The protocol side of the package manager: what the resolver needs from wherever packages live. The cache
/// implements it today; a registry-backed implementation (which fills the cache, then answers from it)
/// plugs in without changing the resolver.
/// </summary>
public interface IPackageSource
{
    /// <summary>
    /// The tags known for <paramref name="repository"/> (<c>registry/path</c>, normalised). Under
    /// <see cref="PullPolicy.Never"/> only what is already local may be listed. <paramref name="secrets"/> are
    /// the pull secrets that apply (for a dependency, as in Crossplane, only an ImageConfig's).
    /// </summary>
    Task<IReadOnlyList<string>> ListTagsAsync(string repository, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken);

    /// <summary>
    /// Resolves a reference under a pull policy and makes its content complete in the cache. Returns null
    /// when the policy forbids getting content that is not there. <paramref name="secrets"/> are the pull
    /// secrets that apply (package secrets and the one an ImageConfig matched).
    /// </summary>
    Task<ResolvedImage?> ResolveAsync(ImageReference reference, PullPolicy policy, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken);

    /// <summary>
    /// Fetches, by digest from the registry <paramref name="reference"/> names, the manifests of index <paramref name="root"/>
    /// that <paramref name="options"/> selects and the cache lacks, with their blobs. False when this source has no
    /// registry to ask (the cache alone, or <c>--offline</c>): nothing was fetched.
    /// </summary>
    Task<bool> CompleteIndexAsync(ImageReference reference, Descriptor root, CopyOptions options, IReadOnlyList<PullSecret> secrets, CancellationToken cancellationToken);
}
