using System.IO.Compression;

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
