using System.Formats.Tar;

namespace Xpkg.Oci.Archives;

/// <summary>
/// The entries of an uncompressed tar file with their data offsets, found in one pass that seeks over data.
/// Blobs are then read as windows of the file, in any order and in parallel, without extracting anything.
/// Names that are absolute or climb out with <c>..</c>, links that escape, duplicates and truncation are errors.
/// </summary>
internal sealed class TarIndex : IArchiveFiles
{
    /// <summary>More entries than any image archive has; a bound on what we hold in memory.</summary>
    private const int MaxEntries = 100_000;

    private readonly Dictionary<string, (long Offset, long Length)> _files;

    private readonly string _data;

    private TarIndex(string data, string location, Dictionary<string, (long, long)> files)
    {
        _data = data;
        Location = location;
        _files = files;
    }

    /// <summary>The archive as the user named it (the data may be a decompressed copy).</summary>
    public string Location { get; }

    public IEnumerable<string> Names => _files.Keys;

    public bool Exists(string name) => _files.ContainsKey(Normalize(name) ?? name);

    public long Length(string name) => Lookup(name).Length;

    public Stream Open(string name)
    {
        var (offset, length) = Lookup(name);
        return new RangeStream(_data, offset, length);
    }

    private (long Offset, long Length) Lookup(string name)
        => _files.TryGetValue(Normalize(name) ?? name, out var e) ? e : throw new InvalidInputException($"{Location}: missing entry \"{name}\"");

    public static TarIndex Build(string data, string? location = null)
    {
        string path = location ?? data;
        var files = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
        var links = new List<(string Name, string Target)>();
        using var stream = new FileStream(data, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long fileLength = stream.Length;
        try
        {
            using var reader = new TarReader(stream, leaveOpen: true);
            int count = 0;
            while (reader.GetNextEntry(copyData: false) is { } entry)
            {
                if (++count > MaxEntries)
                {
                    throw new InvalidInputException($"{path}: more than {MaxEntries} entries");
                }

                string name = Normalize(entry.Name) ?? throw new InvalidInputException($"{path}: entry \"{entry.Name}\" has an absolute path or leaves the archive with \"..\"");
                switch (entry.EntryType)
                {
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        // Seekable archives leave the stream after the entry's data, padded to 512 bytes.
                        long offset = stream.Position - RoundUp(entry.Length);
                        if (offset < 0 || offset + entry.Length > fileLength)
                        {
                            throw new InvalidInputException($"{path}: archive is truncated inside entry \"{name}\"");
                        }

                        if (!files.TryAdd(name, (offset, entry.Length)))
                        {
                            throw new InvalidInputException($"{path}: duplicate entry \"{name}\"");
                        }

                        break;
                    case TarEntryType.SymbolicLink:
                        links.Add((name, ResolveSymlink(path, name, entry.LinkName)));
                        break;
                    case TarEntryType.HardLink:
                        links.Add((name, Normalize(entry.LinkName) ?? throw new InvalidInputException($"{path}: hard link \"{name}\" points outside the archive")));
                        break;
                    default:
                        break;
                }
            }
        }
        catch (Exception e) when (e is EndOfStreamException or InvalidDataException or FormatException or ArgumentException)
        {
            throw new InvalidInputException($"{path}: not a valid tar archive or truncated: {e.Message}");
        }

        foreach (var (name, target) in links)
        {
            if (!files.TryGetValue(target, out var entry))
            {
                throw new InvalidInputException($"{path}: link \"{name}\" points to \"{target}\", which is not a file in the archive");
            }

            if (!files.TryAdd(name, entry))
            {
                throw new InvalidInputException($"{path}: duplicate entry \"{name}\"");
            }
        }

        return new TarIndex(data, path, files);
    }

    private static long RoundUp(long length) => (length + 511) / 512 * 512;

    private static string ResolveSymlink(string path, string name, string target)
    {
        if (target.StartsWith('/'))
        {
            throw new InvalidInputException($"{path}: symbolic link \"{name}\" points to the absolute path \"{target}\"");
        }

        int slash = name.LastIndexOf('/');
        string joined = slash < 0 ? target : name[..(slash + 1)] + target;
        return Normalize(joined) ?? throw new InvalidInputException($"{path}: symbolic link \"{name}\" -> \"{target}\" leaves the archive");
    }

    /// <summary>Canonical relative name, or null when the name is absolute or climbs above the root.</summary>
    internal static string? Normalize(string name)
    {
        if (name.Length == 0 || name.StartsWith('/') || name.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
