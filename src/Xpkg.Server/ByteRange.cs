using System.Globalization;

namespace Xpkg.Server;

/// <summary>One byte range of an RFC 9110 <c>Range: bytes=…</c> request, resolved against a length.</summary>
public readonly record struct ByteRange(long Start, long Length)
{
    public long End => Start + Length - 1;

    /// <summary>
    /// Parses a single-range header. Returns false for a header that cannot be satisfied (answer 416);
    /// <paramref name="range"/> is null when the header is absent, malformed or multi-range (answer 200 in full,
    /// as RFC 9110 allows a server to ignore such a header).
    /// </summary>
    public static bool TryResolve(string? header, long total, out ByteRange? range)
    {
        range = null;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("bytes=", StringComparison.OrdinalIgnoreCase) || header.Contains(',', StringComparison.Ordinal))
        {
            return true;
        }

        string spec = header[6..].Trim();
        int dash = spec.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            return true;
        }

        string first = spec[..dash];
        string last = spec[(dash + 1)..];
        if (first.Length == 0)
        {
            // Suffix range: the last N bytes.
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out long suffix))
            {
                return true;
            }

            if (suffix == 0 || total == 0)
            {
                return false;
            }

            long n = Math.Min(suffix, total);
            range = new ByteRange(total - n, n);
            return true;
        }

        if (!long.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out long start))
        {
            return true;
        }

        long end = total - 1;
        if (last.Length > 0)
        {
            if (!long.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out end) || end < start)
            {
                return true;
            }

            end = Math.Min(end, total - 1);
        }

        if (start >= total)
        {
            return false;
        }

        range = new ByteRange(start, end - start + 1);
        return true;
    }
}
