namespace Xpkg.Oci.Archives;

/// <summary>An OCI image layout on disk. Names are confined to the directory, symbolic links included.</summary>
internal sealed class LayoutDirectory(string root) : IArchiveFiles
{
    private readonly string _root = Path.GetFullPath(root).TrimEnd('/') + "/";

    public string Location => root;

    public bool Exists(string name) => Resolve(name) is { } p && File.Exists(p);

    public long Length(string name) => new FileInfo(Require(name)).Length;

    public Stream Open(string name)
        => new FileStream(Require(name), FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);

    private string Require(string name)
        => Resolve(name) is { } p && File.Exists(p) ? p : throw new InvalidInputException($"{root}: missing file \"{name}\"");

    private string? Resolve(string name)
    {
        string? relative = TarIndex.Normalize(name);
        if (relative is null)
        {
            return null;
        }

        string full = Path.GetFullPath(Path.Combine(_root, relative));
        var info = new FileInfo(full);
        string real = info.Exists && info.LinkTarget is not null ? info.ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? full : full;
        if (!real.StartsWith(_root, StringComparison.Ordinal))
        {
            throw new InvalidInputException($"{root}: \"{name}\" leaves the layout directory");
        }

        return full;
    }
}
