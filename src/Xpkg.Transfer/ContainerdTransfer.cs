using Xpkg.ContainerdClient;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Transfer;

/// <summary>
/// The two copies between containerd and the cache, for commands to call: an image containerd holds into the
/// cache (a lookup step for pull and install), and a cached image into containerd (load --into-containerd, push).
/// </summary>
public static class ContainerdTransfer
{
    /// <summary>
    /// Copies the image containerd has under <paramref name="reference"/> into the cache, verified blob by blob,
    /// and names it there with source <c>containerd:SOCKET</c>. Null when containerd has no such image.
    /// </summary>
    public static async Task<CopyResult?> PullIntoCacheAsync(ContainerdStore containerd, ContentStore store, ImageReference reference,
        CopyOptions options, CancellationToken cancellationToken)
    {
        var root = await containerd.ResolveAsync(reference, cancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return null;
        }

        var result = await CopyEngine.CopyAsync(containerd, root, store, options, cancellationToken).ConfigureAwait(false);
        await store.TagAsync(reference.ToString(), root, containerd.Description, cancellationToken).ConfigureAwait(false);
        return result;
    }

    /// <summary>
    /// Copies a cached image into containerd (blobs it already has are not written again) and creates or moves
    /// the image record <paramref name="reference"/>, normalised as the kubelet asks for it.
    /// </summary>
    public static async Task<CopyResult> PushFromCacheAsync(ContentStore store, Descriptor root, ContainerdStore containerd, string? reference,
        CopyOptions options, CancellationToken cancellationToken)
    {
        if (reference is null)
        {
            throw new InvalidInputException($"containerd keeps images only by name, and image {root.Digest} has none", "name it with --tag NAME");
        }

        var result = await CopyEngine.CopyAsync(store, root, containerd, options, cancellationToken).ConfigureAwait(false);
        await containerd.TagAsync(reference, root, "xpkg:" + store.Root, cancellationToken).ConfigureAwait(false);
        return result;
    }
}
