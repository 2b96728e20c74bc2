namespace Xpkg.Packages.Tests;

/// <summary>The shared Crossplane fixtures, found next to the repository (<c>../shared/fixtures/crossplane</c>).</summary>
internal static class Fixtures
{
    private static readonly Lazy<string> RootDirectory = new(FindRoot);

    public static string Root => RootDirectory.Value;

    public static string XpkgFile => Path.Combine(Root, "xpkg", "function-conditional-patch-and-transform-9b3ddecdb8ff.xpkg");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Every package metadata file and package stream among the fixtures.</summary>
    public static IEnumerable<string> PackageFiles()
        => Directory.EnumerateFiles(Root, "*.yaml", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f).StartsWith("crossplane", StringComparison.Ordinal)
                || Path.GetFileName(f) == "package.yaml"
                || f.Contains($"{Path.DirectorySeparatorChar}input{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Xpkg.slnx")))
            {
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "fixtures", "crossplane"));
            }
        }

        throw new InvalidOperationException("Xpkg.slnx not found above " + AppContext.BaseDirectory);
    }
}
