using System.IO.Compression;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages.Locating;

/// <summary>
/// Crossplane's package cache format, also what <c>crossplane xpkg extract</c> writes: the raw
/// <c>package.yaml</c> stream, gzip-compressed at the fastest level. Not a tar and not an image.
/// </summary>
public static class PackageCacheFile
{
    public const string Extension = ".gz";

    /// <summary>Compresses <paramref name="packageYaml"/> into <paramref name="destination"/>.</summary>
    public static async Task WriteAsync(Stream packageYaml, Stream destination, CancellationToken cancellationToken)
    {
        var gzip = new GZipStream(destination, CompressionLevel.Fastest, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            await packageYaml.CopyToAsync(gzip, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the cache file of a package image at <paramref name="path"/>: to a temporary file beside it,
    /// then renamed over it, so a reader (a running Crossplane) never sees half a file. An existing file
    /// with the same bytes is left untouched, so exporting twice changes nothing.
    /// </summary>
    /// <returns>Whether the file was written, and where <c>package.yaml</c> was found.</returns>
    public static async Task<(bool Written, PackageLocation Location)> WriteFileAsync(IContentSource source, Descriptor root, ReadOnlyMemory<byte> manifest,
        string path, CancellationToken cancellationToken)
    {
        string temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            PackageLocation location;
            var packageYaml = await new PackageLocator(source).OpenAsync(root, manifest, cancellationToken).ConfigureAwait(false);
            await using (packageYaml.ConfigureAwait(false))
            {
                location = packageYaml.Location;
                var output = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
                await using (output.ConfigureAwait(false))
                {
                    await WriteAsync(packageYaml, output, cancellationToken).ConfigureAwait(false);
                    output.Flush(flushToDisk: true);
                }
            }

            if (await SameBytesAsync(path, temp, cancellationToken).ConfigureAwait(false))
            {
                return (false, location);
            }

            File.Move(temp, path, overwrite: true);
            return (true, location);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static async Task<bool> SameBytesAsync(string existing, string written, CancellationToken cancellationToken)
    {
        if (!File.Exists(existing) || new FileInfo(existing).Length != new FileInfo(written).Length)
        {
            return false;
        }

        var a = File.OpenRead(existing);
        var b = File.OpenRead(written);
        await using (a.ConfigureAwait(false))
        await using (b.ConfigureAwait(false))
        {
            byte[] x = new byte[1 << 20];
            byte[] y = new byte[1 << 20];
            while (true)
            {
                int n = await a.ReadAtLeastAsync(x, x.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                int m = await b.ReadAtLeastAsync(y, y.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (n != m || !x.AsSpan(0, n).SequenceEqual(y.AsSpan(0, m)))
                {
                    return false;
                }

                if (n == 0)
                {
                    return true;
                }
            }
        }
    }

    /// <summary>
    /// Reads and parses a cache file. The stream is bounded like any package stream, so a cache file that
    /// inflates without end is an error, not an exhausted disk or memory.
    /// </summary>
    public static async Task<ParsedPackage> ParseAsync(Stream cacheFile, string sourceName, CancellationToken cancellationToken)
    {
        var gzip = new GZipStream(cacheFile, CompressionMode.Decompress, leaveOpen: true);
        await using (gzip.ConfigureAwait(false))
        {
            try
            {
                return await PackageParser.ParseAsync(gzip, sourceName, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e)
            {
                throw new Oci.InvalidInputException($"{sourceName}: not a gzip-compressed package stream: {e.Message}", inner: e);
            }
        }
    }
}
