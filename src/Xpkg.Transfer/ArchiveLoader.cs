using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Store;

namespace Xpkg.Transfer;

public sealed record LoadedImage(string? Reference, Descriptor Root);

public sealed record LoadResult(IReadOnlyList<LoadedImage> Images, IReadOnlyList<string> Notes);

/// <summary><c>xpkg load</c>: an archive or layout into the cache, as one copy per image.</summary>
public sealed class ArchiveLoader(ContentStore store)
{
    public async Task<LoadResult> LoadAsync(string path, string? tag, CopyOptions options, CancellationToken cancellationToken)
    {
        using var archive = ImageArchive.Open(path, store.ScratchDirectory);
        var names = AssignNames(archive, tag);
        var notes = archive.Notes.ToList();
        var loaded = new List<LoadedImage>();
        string source = "load:" + Path.GetFullPath(path);
        using var lease = await store.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = store.BeginTransaction();
        foreach (var image in archive.Images)
        {
            var result = await CopyEngine.CopyAsync(archive, image.Root, transaction, options, cancellationToken).ConfigureAwait(false);
            if (result.Missing.Count > 0)
            {
                notes.Add($"{image.Root.Digest}: {result.Missing.Count} manifest(s) of the index are not in the archive; the index is kept whole");
            }
        }

        foreach (var (image, references) in names)
        {
            foreach (var reference in references.DefaultIfEmpty(null))
            {
                await transaction.TagAsync(reference, image.Root, source, cancellationToken).ConfigureAwait(false);
                loaded.Add(new LoadedImage(reference, image.Root));
            }
        }

        // Nothing is visible until every image has been copied and verified.
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new LoadResult(loaded, notes);
    }

    /// <summary>
    /// Names each image: full references from the archive, normalised; a bare OCI ref name (a tag only) is no
    /// repository, so such images stay untagged unless <paramref name="tag"/> names them.
    /// </summary>
    private static List<(ArchiveImage Image, List<string> References)> AssignNames(ImageArchive archive, string? tag)
    {
        var result = archive.Images.Select(i => (Image: i, References: i.Names.Select(TryNormalise).OfType<string>().Distinct().ToList())).ToList();
        if (tag is null)
        {
            return result;
        }

        var named = ImageReference.Parse(tag);
        if (named.Digest is not null)
        {
            throw new InvalidInputException($"--tag {tag}: give a name and tag, not a digest");
        }

        var targets = archive.Images.Count == 1 ? result : result.Where(r => r.References.Count == 0).ToList();
        if (targets.Count != 1)
        {
            throw new InvalidInputException($"{archive.Description} holds {archive.Images.Count} images; --tag needs exactly one (or exactly one untagged)",
                "load without --tag; the names the archive carries are used and untagged images are listed by digest");
        }

        targets[0].References.Add(named.ToString());
        return result;
    }

    private static string? TryNormalise(string name)
    {
        // A bare tag such as "latest" or "v1" parses as docker.io/library/<tag>; that is not what it means.
        if (!name.Contains('/', StringComparison.Ordinal) && !name.Contains('@', StringComparison.Ordinal))
        {
            return null;
        }

        return ImageReference.TryParse(name, out var r, out _) ? r.ToString() : null;
    }
}
