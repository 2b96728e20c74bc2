using Xpkg.ContainerdClient.Tests.Support;
using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.ContainerdClient.Tests;

/// <summary>Images that ctr imported, read through our client into a fresh cache.</summary>
public sealed class ReadFromContainerdTests
{
    [Fact]
    public async Task OciArchiveImportedByCtrCopiesIntoTheCacheWithTheSameDigest()
    {
        string images = await TestImages.DirectoryAsync();
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", "docker.io/test/tiny", Path.Combine(images, "tiny-oci-archive.tar"));
        Assert.Equal(TestImages.Tiny, await containerd.ImageDigestAsync("docker.io/test/tiny:tiny"));

        using var cache = new TempDir();
        var store = ContentStore.Open(cache.Path);
        await using var source = containerd.Connect();
        var root = await source.ResolveAsync(ImageReference.Parse("test/tiny:tiny"), CancellationToken.None);
        Assert.NotNull(root);
        Assert.Equal(TestImages.Tiny, root.Digest.ToString());

        var result = await CopyEngine.CopyAsync(source, root, store, new CopyOptions(), CancellationToken.None);
        await store.TagAsync("docker.io/test/tiny:tiny", root, source.Description, CancellationToken.None);

        Assert.Equal(3, result.BlobsCopied);
        Assert.True(await store.IsCompleteAsync(root, CancellationToken.None));
        var cached = await ImageLookup.RequireAsync(store, "test/tiny:tiny", CancellationToken.None);
        Assert.Equal(TestImages.Tiny, cached.Root.Digest.ToString());
        Assert.StartsWith("containerd:" + containerd.Socket, cached.Source, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CrossplanePackageImportedByCtrCopiesIntoTheCacheWithTheSameDigest()
    {
        await using var containerd = await PrivateContainerd.StartAsync();
        // The .xpkg is a docker-save tarball without RepoTags: ctr names only the index it builds around it.
        await containerd.CtrAsync("images", "import", "--no-unpack", "--all-platforms", "--index-name", "xpkg.example/crossplane/function-cpt:v1",
            Repo.Fixture(Repo.XpkgFixture));
        string? digest = await containerd.ImageDigestAsync("xpkg.example/crossplane/function-cpt:v1");
        Assert.NotNull(digest);

        using var cache = new TempDir();
        var store = ContentStore.Open(cache.Path);
        await using var source = containerd.Connect();
        var root = await source.ResolveAsync(ImageReference.Parse("xpkg.example/crossplane/function-cpt:v1"), CancellationToken.None);
        Assert.NotNull(root);
        Assert.Equal(MediaTypes.OciIndex, root.MediaType);

        await CopyEngine.CopyAsync(source, root, store, new CopyOptions(), CancellationToken.None);

        Assert.Equal(digest, root.Digest.ToString());
        Assert.True(await store.IsCompleteAsync(root, CancellationToken.None));
        // The package's layers are what ctr wrote, byte for byte: the 9446-byte package layer is there.
        Assert.True(File.Exists(store.BlobPath(Digest.Parse("sha256:2e7cf2bb895e5f0186c25e51b50ae43529dad5f71d6db39e5288822ee4aaae61"))));
    }

    [Fact]
    public async Task ResolveByDigestFindsTheImageWhateverItsName()
    {
        string images = await TestImages.DirectoryAsync();
        await using var containerd = await PrivateContainerd.StartAsync();
        await containerd.CtrAsync("images", "import", "--no-unpack", "--base-name", "docker.io/test/tiny", Path.Combine(images, "tiny-oci-archive.tar"));
        await using var source = containerd.Connect();

        var byDigest = await source.ResolveAsync(ImageReference.Parse("test/other@" + TestImages.Tiny), CancellationToken.None);
        var wrongDigest = await source.ResolveAsync(ImageReference.Parse("test/tiny:tiny@" + TestImages.Multi), CancellationToken.None);

        Assert.Equal(TestImages.Tiny, byDigest?.Digest.ToString());
        Assert.Null(wrongDigest);
    }

    [Fact]
    public async Task AnImageContainerdDoesNotHaveResolvesToNullAndAMissingBlobIsNotFound()
    {
        await using var containerd = await PrivateContainerd.StartAsync();
        await using var source = containerd.Connect();

        Assert.Null(await source.ResolveAsync(ImageReference.Parse("nothere:v1"), CancellationToken.None));
        var missing = Descriptor.For(MediaTypes.OciConfig, "{}"u8);
        Assert.False(await source.ExistsAsync(missing, CancellationToken.None));
        var e = await Assert.ThrowsAsync<ContentNotFoundException>(() => source.OpenAsync(missing, CancellationToken.None));
        Assert.Equal(missing.Digest, e.Digest);
    }
}
