namespace Xpkg.Testing;

/// <summary>Paths of the repository and the shared folder beside it.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string Shared => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    public static string Fixture(string relative) => Path.Combine(Shared, "fixtures", "crossplane", relative);

    public const string XpkgFixture = "xpkg/function-conditional-patch-and-transform-9b3ddecdb8ff.xpkg";

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        for (int i = 0; i < 12 && dir is not null; i++, dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Xpkg.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("repository root (Xpkg.slnx) not found above " + AppContext.BaseDirectory);
    }
}
