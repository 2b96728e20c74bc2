using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Transfer;

/// <summary>Finds what a user named on the command line in the cache: a reference, or a bare digest.</summary>
public static class ImageLookup
{
    public static async Task<StoredReference?> FindAsync(ContentStore store, string text, CancellationToken cancellationToken)
        => await FindAsync(store, await store.References.ReadAsync(cancellationToken).ConfigureAwait(false), text, cancellationToken).ConfigureAwait(false);

    /// <summary>As <see cref="FindAsync(ContentStore, string, CancellationToken)"/>, among references already read.</summary>
    public static async Task<StoredReference?> FindAsync(ContentStore store, IReadOnlyList<StoredReference> entries, string text, CancellationToken cancellationToken)
    {
        if (Digest.TryParse(text, out var digest))
        {
            return entries.FirstOrDefault(e => e.Root.Digest == digest) ?? await FromBlobAsync(store, digest, null, cancellationToken).ConfigureAwait(false);
        }

        var reference = ImageReference.Parse(text);
        string key = reference.ToString();
        var exact = entries.FirstOrDefault(e => e.Reference == key);
        if (exact is not null || reference.Digest is not { } d)
        {
            return exact;
        }

        // name@digest: any entry with that digest serves, and so does the bare manifest blob.
        var byDigest = entries.FirstOrDefault(e => e.Root.Digest == d);
        return byDigest is not null
            ? byDigest with { Reference = key }
            : await FromBlobAsync(store, d, key, cancellationToken).ConfigureAwait(false);
    }

    public static async Task<StoredReference> RequireAsync(ContentStore store, string text, CancellationToken cancellationToken)
        => await FindAsync(store, text, cancellationToken).ConfigureAwait(false)
            ?? throw new XpkgException($"{text}: not in the cache ({store.Root})", "bring it in with xpkg load FILE or xpkg pull REF; xpkg images lists what the cache holds");

    private static async Task<StoredReference?> FromBlobAsync(ContentStore store, Digest digest, string? reference, CancellationToken cancellationToken)
    {
        var path = store.BlobPath(digest);
        if (!File.Exists(path))
        {
            return null;
        }

        long size = new FileInfo(path).Length;
        if (size > ParsedManifest.MaxBytes)
        {
            return null;
        }

        var probe = new Descriptor { MediaType = MediaTypes.OciManifest, Digest = digest, Size = size };
        try
        {
            var parsed = ParsedManifest.Parse(await store.ReadSmallBlobAsync(probe, cancellationToken).ConfigureAwait(false));
            return new StoredReference { Reference = reference, Root = probe with { MediaType = parsed.MediaType }, TotalSize = size };
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }
}
