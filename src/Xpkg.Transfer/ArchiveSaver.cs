using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Store;

namespace Xpkg.Transfer;

/// <summary><c>xpkg save</c>: images from the cache into one archive, as one copy per image.</summary>
public sealed class ArchiveSaver(ContentStore store)
{
    public Task<IReadOnlyList<StoredReference>> SaveAsync(IReadOnlyList<string> references, string file, ArchiveFormat format, CopyOptions options, CancellationToken cancellationToken)
        => SaveAsync(references, file, format, _ => options, cancellationToken);

    /// <summary>As the other overload, with the copy options of each image its own (a bundle keeps other platforms of a package than of a runtime image).</summary>
    public async Task<IReadOnlyList<StoredReference>> SaveAsync(IReadOnlyList<string> references, string file, ArchiveFormat format, Func<StoredReference, CopyOptions> options,
        CancellationToken cancellationToken)
    {
        var images = new List<StoredReference>();
        foreach (var r in references)
        {
            images.Add(await ImageLookup.RequireAsync(store, r, cancellationToken).ConfigureAwait(false));
        }

        var writer = new ArchiveWriter(file, format);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var image in images)
            {
                await CopyEngine.CopyAsync(store, image.Root, writer, options(image), cancellationToken).ConfigureAwait(false);
                await writer.TagAsync(image.Reference, image.Root, store.Description, cancellationToken).ConfigureAwait(false);
            }

            await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }

        return images;
    }
}
