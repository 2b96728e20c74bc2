namespace Xpkg.Testing;

/// <summary>
/// The reproducible test images of shared/tools/make-test-images.sh, built once per test run
/// (OCI layouts, a docker-archive and an oci-archive made by skopeo).
/// </summary>
public static class TestImages
{
    public const string Tiny = "sha256:e45947749b060a2289c9c60cdb0f2c9b50e3d6e8022dc1bf74ed6c6de4f7d4bf";
    public const string Multi = "sha256:477327872a6c4ad653050fe678a36143784d3335d33afb2be0b6ee697c7b265c";
    public const string TwoLayer = "sha256:27c2598164bd2b5238688b8f86c578e022839b9fe6a39811ebd0b6553f49f787";
    public const string Uncompressed = "sha256:c88048fc068ae750ff5aa73828763e7b98ddc8bce5a33634409d3e4afb706f1e";

    private static readonly Lazy<Task<string>> Built = new(BuildAsync);

    /// <summary>The output directory: oci/ (layout), tiny-docker-archive.tar, tiny-oci-archive.tar.</summary>
    public static Task<string> DirectoryAsync() => Built.Value;

    private static async Task<string> BuildAsync()
    {
        string dir = Path.Combine(Path.GetTempPath(), "xpkg-test-images-" + Environment.ProcessId);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        if (!File.Exists(Path.Combine(dir, "digests.txt")))
        {
            var r = await Run.ProcessAsync("bash", [Path.Combine(Repo.Shared, "tools", "make-test-images.sh"), dir],
                new Dictionary<string, string> { ["BIG"] = "0" });
            if (r.ExitCode != 0)
            {
                throw new InvalidOperationException("make-test-images.sh failed: " + r);
            }
        }

        return dir;
    }
}
