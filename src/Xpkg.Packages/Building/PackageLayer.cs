using System.Formats.Tar;
using System.IO.Compression;
using Xpkg.Oci;

namespace Xpkg.Packages.Building;

/// <summary>
/// A layer holding one file, written the way Crossplane's CLI writes its package and examples layers: a
/// ustar archive with the single entry (mode 0644, uid/gid 0, mtime 0, no directory entries), gzip at the
/// fastest level. The blob is kept in a file; the digests are computed while writing.
/// </summary>
public sealed record PackageLayer(Descriptor Descriptor, Digest DiffId, string Role, string BlobPath)
{
    private const UnixFileMode EntryMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>Writes the layer for <paramref name="content"/> (read from its current position to the end) to <paramref name="blobPath"/>.</summary>
    public static async Task<PackageLayer> WriteAsync(string entryName, Stream content, string role, string blobPath, string mediaType, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(blobPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        var compressed = new HashingWriteStream(file, leaveOpen: true);
        Digest diffId;
        await using (compressed.ConfigureAwait(false))
        {
            var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                var uncompressed = new HashingWriteStream(gzip, leaveOpen: true);
                await using (uncompressed.ConfigureAwait(false))
                {
                    var tar = new TarWriter(uncompressed, TarEntryFormat.Ustar, leaveOpen: true);
                    await using (tar.ConfigureAwait(false))
                    {
                        var entry = new UstarTarEntry(TarEntryType.RegularFile, entryName)
                        {
                            ModificationTime = DateTimeOffset.UnixEpoch,
                            Mode = EntryMode,
                            Uid = 0,
                            Gid = 0,
                            UserName = "",
                            GroupName = "",
                            DataStream = content,
                        };
                        await tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                    }

                    diffId = uncompressed.Digest;
                }
            }

            var descriptor = new Descriptor { MediaType = mediaType, Digest = compressed.Digest, Size = compressed.BytesWritten };
            return new PackageLayer(descriptor, diffId, role, blobPath);
        }
    }
}
