namespace Xpkg.Packages.Building;

/// <summary>
/// The files <c>crossplane xpkg build</c> reads from a directory: walked recursively in lexical order (as Go's
/// <c>filepath.Walk</c>), keeping non-empty <c>.yaml</c>/<c>.yml</c> files that no ignore pattern matches and
/// whose path does not contain the excluded path (the examples root inside the package root).
/// </summary>
internal static class PackageSourceFiles
{
    public static List<string> Find(string root, IEnumerable<string> ignorePatterns, string? excludeContaining)
    {
        var ignore = ignorePatterns.Select(p => GlobPattern.Parse(Path.GetFullPath(Path.Join(root, p)))).ToList();
        var result = new List<string>();
        Walk(root, ignore, excludeContaining, result);
        return result;
    }

    private static void Walk(string dir, List<GlobPattern> ignore, string? excludeContaining, List<string> result)
    {
        foreach (var entry in new DirectoryInfo(dir).EnumerateFileSystemInfos().OrderBy(e => e.Name, StringComparer.Ordinal))
        {
            bool isLink = entry.LinkTarget is not null;
            if (entry is DirectoryInfo && !isLink)
            {
                Walk(entry.FullName, ignore, excludeContaining, result);
                continue;
            }

            string path = entry.FullName;
            string ext = Path.GetExtension(path);
            if ((ext != ".yaml" && ext != ".yml")
                || entry is not FileInfo file
                || (excludeContaining is not null && path.Contains(excludeContaining, StringComparison.Ordinal))
                || ignore.Any(p => p.IsMatch(path)))
            {
                continue;
            }

            // Go's walk does not follow links: a link's own size is never 0, so linked files are kept.
            if (isLink || file.Length > 0)
            {
                result.Add(path);
            }
        }
    }
}
