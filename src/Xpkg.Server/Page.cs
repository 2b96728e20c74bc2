using System.Globalization;

namespace Xpkg.Server;

/// <summary>
/// <c>n</c>/<c>last</c> pagination over a sorted list, as the distribution spec defines it for tags and
/// Docker's API for the catalog: results start strictly after <c>last</c>; a <c>Link: &lt;…&gt;; rel="next"</c>
/// is given when <c>n</c> cut the list short.
/// </summary>
internal sealed record Page(IReadOnlyList<string> Items, string? NextLink)
{
    /// <summary>Null when <c>n</c> is not a non-negative integer.</summary>
    public static Page? Take(IReadOnlyList<string> sorted, HttpRequest request, string path)
    {
        string? last = request.Query["last"];
        string? nText = request.Query["n"];
        int? n = null;
        if (!string.IsNullOrEmpty(nText))
        {
            if (!int.TryParse(nText, NumberStyles.None, CultureInfo.InvariantCulture, out int parsed))
            {
                return null;
            }

            n = parsed;
        }

        IEnumerable<string> rest = sorted;
        if (!string.IsNullOrEmpty(last))
        {
            rest = sorted.Where(s => string.CompareOrdinal(s, last) > 0);
        }

        var after = rest.ToList();
        if (n is not { } limit || limit >= after.Count)
        {
            return new Page(after, null);
        }

        var items = after.Take(limit).ToList();
        string? link = limit == 0
            ? null
            : FormattableString.Invariant($"<{path}?n={limit}&last={Uri.EscapeDataString(items[^1])}>; rel=\"next\"");
        return new Page(items, link);
    }
}
