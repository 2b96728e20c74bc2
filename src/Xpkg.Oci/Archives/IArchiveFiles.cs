namespace Xpkg.Oci.Archives;

/// <summary>The files of an archive or layout directory, by their archive-relative names.</summary>
internal interface IArchiveFiles
{
    string Location { get; }

    bool Exists(string name);

    long Length(string name);

    Stream Open(string name);
}

internal static class ArchiveFilesExtensions
{
    /// <summary>Reads a small metadata file (manifest.json, index.json, a config) into memory, bounded.</summary>
    public static byte[] ReadSmall(this IArchiveFiles files, string name, long max = ParsedManifest.MaxBytes)
    {
        if (!files.Exists(name))
        {
            throw new InvalidInputException($"{files.Location}: missing entry \"{name}\"");
        }

        long length = files.Length(name);
        if (length > max)
        {
            throw new InvalidInputException($"{files.Location}: entry \"{name}\" is {length} bytes, over the {max} byte limit for metadata");
        }

        using var s = files.Open(name);
        var buffer = new byte[length];
        try
        {
            s.ReadExactly(buffer);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidInputException($"{files.Location}: entry \"{name}\" is truncated");
        }

        return buffer;
    }
}
