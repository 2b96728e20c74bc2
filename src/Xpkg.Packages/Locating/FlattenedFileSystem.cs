namespace Xpkg.Packages.Locating;

/// <summary>
/// Decides which tar entries are visible in the flattened filesystem when layers are read from the top
/// down, as go-containerregistry's <c>mutate.Extract</c> does (which Crossplane uses): the first entry for a
/// path wins, a <c>.wh.</c> whiteout hides the path and everything under it in lower layers, and a file hides
/// the children of a same-named directory below. Opaque whiteouts (<c>.wh..wh..opq</c>) hide the lower
/// layers' content of their directory, as the OCI image spec defines.
/// </summary>
internal sealed class FlattenedFileSystem
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";

    // Path → true when it hides its children (a whiteout or a non-directory).
    private readonly Dictionary<string, bool> _seen = new(StringComparer.Ordinal);
    private readonly HashSet<string> _opaqueAbove = new(StringComparer.Ordinal);
    private readonly List<string> _opaqueInThisLayer = [];

    /// <summary>Call between layers, moving from an upper layer to the one below it.</summary>
    public void NextLayer()
    {
        _opaqueAbove.UnionWith(_opaqueInThisLayer);
        _opaqueInThisLayer.Clear();
    }

    /// <summary>Records an entry; true when it is a visible (non-whiteout, not shadowed) entry.</summary>
    public bool Add(string entryName, bool isDirectory)
    {
        string path = CleanPath(entryName);
        string dir = DirectoryOf(path);
        string name = path[(dir.Length == 0 ? 0 : dir.Length + 1)..];
        if (name == OpaqueWhiteout)
        {
            _opaqueInThisLayer.Add(dir);
            return false;
        }

        bool tombstone = name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal);
        if (tombstone)
        {
            path = dir.Length == 0 ? name[WhiteoutPrefix.Length..] : dir + "/" + name[WhiteoutPrefix.Length..];
        }

        if (_seen.ContainsKey(path) || IsHidden(path))
        {
            return false;
        }

        _seen[path] = tombstone || !isDirectory;
        return !tombstone;
    }

    private bool IsHidden(string path)
    {
        for (string dir = DirectoryOf(path); ; dir = DirectoryOf(dir))
        {
            if ((_seen.TryGetValue(dir, out bool hides) && hides) || _opaqueAbove.Contains(dir))
            {
                return true;
            }

            if (dir.Length == 0)
            {
                return false;
            }
        }
    }

    /// <summary>Like Go's <c>filepath.Clean</c> for archive names, relative: <c>./a//b/</c> is <c>a/b</c>.</summary>
    public static string CleanPath(string name)
    {
        var parts = new List<string>();
        foreach (string part in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static string DirectoryOf(string path)
    {
        int slash = path.LastIndexOf('/');
        return slash < 0 ? "" : path[..slash];
    }
}
