using Xpkg.ContainerdClient.Tests.Support;
using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.ContainerdClient.Tests;

/// <summary>Blobs read straight from containerd's content directory, and the Read API where that is not possible.</summary>
public sealed class ContentFilesTests
{
    [Fact]
    public async Task TheContentRootIsTheDaemonsRootPlusTheContentPluginsDirectoryAskedOnce()
    {
        await using var containerd = await PrivateContainerd.StartAsync();
        await using var source = containerd.Connect();

        var first = source.Connection.ContentRootAsync();
        var second = source.Connection.ContentRootAsync();

        Assert.Same(first, second);
        Assert.Equal(Path.Combine(containerd.Root, "io.containerd.content.v1.content"), await first);
        Assert.Equal(await first, await source.FilesRootAsync());
    }

    [Fact]
    public async Task AFailedIntrospectionCallIsMadeAgainAfterTheDelay_NotKeptForTheConnectionsLife()
    {
        await using var containerd = await ImportTinyAsync("io.containerd.grpc.v1.introspection");
        var explained = new List<string>();
        using var connection = ContainerdConnection.Open(containerd.Socket, PrivateContainerd.Namespace);
        var delay = TimeSpan.FromSeconds(3);
        await using var source = new ContainerdStore(connection) { DiscoveryRetryDelay = delay, Explain = explained.Add };

        // No introspection service: the Read API, and within the delay containerd is not asked again.
        await CopyTinyAsync(source);
        var failedBy = System.Diagnostics.Stopwatch.StartNew();
        Assert.Null(await source.FilesRootAsync());
        string failed = Assert.Single(explained);
        Assert.StartsWith("reading content over the Read API for now: containerd failed to name its content directory (introspection)", failed, StringComparison.Ordinal);
        Assert.EndsWith("; asking again in 3s", failed, StringComparison.Ordinal);

        // containerd restarts with the service: once the delay is over, the same connection reads the content files.
        await containerd.RestartAsync();
        if (delay - failedBy.Elapsed is { Ticks: > 0 } rest)
        {
            await Task.Delay(rest);
        }

        string root = Path.Combine(containerd.Root, "io.containerd.content.v1.content");
        Assert.Equal(root, await source.FilesRootAsync());
        await CopyTinyAsync(source);
        Assert.Equal(["reading content files under " + root + " (verified by digest; the Read API for a blob not there)"], explained.Skip(1));
    }

    [Fact]
    public async Task PullReadsTheContentFilesAndExplainSaysSo()
    {
        await using var containerd = await ImportTinyAsync();
        using var cache = new TempDir();

        var pull = await PullAsync(cache, containerd);

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains(TestImages.Tiny, pull.Stdout, StringComparison.Ordinal);
        string root = Path.Combine(containerd.Root, "io.containerd.content.v1.content");
        Assert.Contains("containerd: reading content files under " + root, pull.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("over the Read API", pull.Stderr, StringComparison.Ordinal);
        await AssertCachedAsContainerdHasItAsync(cache, root);
    }

    [Fact]
    public async Task WithContentFilesTurnedOffPullReadsOverTheReadApi()
    {
        await using var containerd = await ImportTinyAsync();
        using var cache = new TempDir();

        var pull = await PullAsync(cache, containerd, new Dictionary<string, string> { [ContainerdStore.ContentFilesVariable] = "0" });

        Assert.True(pull.ExitCode == 0, pull.ToString());
        Assert.Contains("containerd: reading content over the Read API (XPKG_CONTAINERD_CONTENT_FILES=0)", pull.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("reading content files", pull.Stderr, StringComparison.Ordinal);
        await AssertCachedAsContainerdHasItAsync(cache, Path.Combine(containerd.Root, "io.containerd.content.v1.content"));
    }

    [Fact]
    public async Task AContentDirectoryNotReadableHereFallsBackToTheReadApi()
    {
        await using var containerd = await ImportTinyAsync();
        using var elsewhere = new TempDir();
        var explained = new List<string>();
        using var connection = ContainerdConnection.Open(containerd.Socket, PrivateContainerd.Namespace);
        await using var source = new ContainerdStore(connection) { ContentFilesRoot = elsewhere.Combine("not-mounted-here"), Explain = explained.Add };

        var copy = await CopyTinyAsync(source);

        Assert.Null(await source.FilesRootAsync());
        Assert.Equal(3, copy.BlobsCopied);
        Assert.Equal([$"reading content over the Read API: its content directory {elsewhere.Combine("not-mounted-here")} is not readable here"], explained);
    }

    [Fact]
    public async Task ABlobWhoseFileIsNotThereIsReadOverTheReadApi()
    {
        await using var containerd = await ImportTinyAsync();
        using var elsewhere = new TempDir();
        Directory.CreateDirectory(elsewhere.Combine("blobs"));
        var explained = new List<string>();
        using var connection = ContainerdConnection.Open(containerd.Socket, PrivateContainerd.Namespace);
        await using var source = new ContainerdStore(connection) { ContentFilesRoot = elsewhere.Path, Explain = explained.Add };

        var copy = await CopyTinyAsync(source);

        Assert.Equal(3, copy.BlobsCopied);
        Assert.Equal("reading content files under " + elsewhere.Path + " (verified by digest; the Read API for a blob not there)", explained[0]);
        Assert.Equal(3, explained.Count(m => m.EndsWith($"is not readable under {elsewhere.Path}; reading it over the Read API", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task AFileOfTheWrongContentFailsVerification()
    {
        await using var containerd = await ImportTinyAsync();
        await using var source = containerd.Connect();
        var manifest = (await source.ResolveAsync(ImageReference.Parse("test/tiny:tiny"), CancellationToken.None))!;
        using var cache = new TempDir();
        var store = ContentStore.Open(cache.Path);

        // A content directory whose manifest file has the right size and the wrong bytes.
        using var forged = new TempDir();
        string path = Path.Combine(forged.Path, "blobs", manifest.Digest.Algorithm, manifest.Digest.Encoded);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, new byte[manifest.Size]);
        using var connection = ContainerdConnection.Open(containerd.Socket, PrivateContainerd.Namespace);
        await using var forgedSource = new ContainerdStore(connection) { ContentFilesRoot = forged.Path };

        await Assert.ThrowsAsync<DigestMismatchException>(() => CopyEngine.CopyAsync(forgedSource, manifest, store, new CopyOptions(), CancellationToken.None));
        Assert.False(File.Exists(store.BlobPath(manifest.Digest)));
    }

    private static async Task<PrivateContainerd> ImportTinyAsync(params string[] disabledPlugins)
    {
        string images = await TestImages.DirectoryAsync();
        var containerd = await PrivateContainerd.StartAsync(disabledPlugins);
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", "docker.io/test/tiny", Path.Combine(images, "tiny-oci-archive.tar"));
        return containerd;
    }

    private static async Task<CopyResult> CopyTinyAsync(ContainerdStore source)
    {
        using var cache = new TempDir();
        var store = ContentStore.Open(cache.Path);
        var root = (await source.ResolveAsync(ImageReference.Parse("test/tiny:tiny"), CancellationToken.None))!;
        var copy = await CopyEngine.CopyAsync(source, root, store, new CopyOptions(), CancellationToken.None);
        Assert.Equal(TestImages.Tiny, root.Digest.ToString());
        Assert.True(await store.IsCompleteAsync(root, CancellationToken.None));
        return copy;
    }

    private static Task<RunResult> PullAsync(TempDir cache, PrivateContainerd containerd, IDictionary<string, string>? env = null)
        => Run.ProcessAsync("dotnet", [Run.XpkgDll, "--cache-dir", cache.Path, "pull", "test/tiny:tiny", "--explain", "--containerd-socket", containerd.Socket,
            "--containerd-namespace", PrivateContainerd.Namespace], env);

    /// <summary>Every blob of the pulled image is in the cache byte for byte as containerd keeps it.</summary>
    private static async Task AssertCachedAsContainerdHasItAsync(TempDir cache, string contentRoot)
    {
        var store = ContentStore.Open(cache.Path);
        var image = await ImageLookup.RequireAsync(store, "test/tiny:tiny", CancellationToken.None);
        Assert.Equal(TestImages.Tiny, image.Root.Digest.ToString());
        Assert.True(await store.IsCompleteAsync(image.Root, CancellationToken.None));
        var blobs = Directory.EnumerateFiles(Path.Combine(contentRoot, "blobs", "sha256")).ToList();
        Assert.Equal(3, blobs.Count);
        foreach (string blob in blobs)
        {
            var digest = Digest.Parse("sha256:" + Path.GetFileName(blob));
            Assert.Equal(await File.ReadAllBytesAsync(blob), await File.ReadAllBytesAsync(store.BlobPath(digest)));
        }
    }
}
