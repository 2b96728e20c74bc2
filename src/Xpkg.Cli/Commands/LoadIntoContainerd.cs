using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

/// <summary>The <c>--into-containerd</c> step of <c>xpkg load</c>: what was loaded into the cache goes on into containerd.</summary>
internal static class LoadIntoContainerd
{
    public static async Task RunAsync(CliContext ctx, LoadResult loaded, CancellationToken cancellationToken)
    {
        var containerd = ContainerdOptions.Connect(ctx);
        await using (containerd.ConfigureAwait(false))
        {
            foreach (var image in loaded.Images)
            {
                var result = await ProgressDisplay.RunAsync(ctx, observer =>
                    ContainerdTransfer.PushFromCacheAsync(ctx.Store, image.Root, containerd, image.Reference, new CopyOptions { Observer = observer }, cancellationToken));
                string name = Oci.ImageReference.Parse(image.Reference!).ToString();
                ctx.Say($"Loaded into containerd namespace {containerd.Connection.Namespace}: {name} {image.Root.Digest} ({result.BlobsCopied} blobs written, {result.BlobsSkipped} already there)");
            }
        }
    }
}
