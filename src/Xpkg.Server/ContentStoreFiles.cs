namespace Xpkg.Server;

/// <summary>File operations on store paths where a missing file is not an error.</summary>
internal static class ContentStoreFiles
{
    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
