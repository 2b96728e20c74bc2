using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Packages.Building;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Tests.Integration;

/// <summary>The package layer together with the archive reader and writer of Xpkg.Oci.</summary>
public sealed class ArchiveInteropTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("xpkg-interop-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Real_xpkg_file_loads_with_crossplanes_digest_and_its_package_is_found()
    {
        var archive = ImageArchive.Open(Fixtures.XpkgFile);
        var image = Assert.Single(archive.Images);
        Assert.Equal(XpkgFile.ManifestDigest, image.Root.Digest.ToString());

        byte[] manifest = await ReadAllAsync(archive, image.Root);
        var (package, location) = await new PackageLocator(archive).ParseAsync(image.Root, manifest, CancellationToken.None);
        Assert.Equal(BaseLayerSource.ConfigLabel, location.FoundBy);
        Assert.Equal(XpkgFile.BaseLayer, location.Layer.Digest.ToString());
        Assert.Equal("function-conditional-patch-and-transform", package.Meta?.Name);
        Assert.Equal("resources.conditional-pt.fn.crossplane.io", Assert.Single(package.Objects).Name);
    }

    [Fact]
    public async Task Built_package_written_as_docker_archive_reads_back()
    {
        await using var built = await PackageBuilder.BuildAsync(new PackageBuildOptions
        {
            PackageRoot = Fixtures.PathOf("function-go-templating/package"),
            ExamplesRoot = Path.Join(_dir, "none"),
            TempDirectory = _dir,
        }, CancellationToken.None);

        string file = Path.Join(_dir, built.DefaultFileName);
        await using (var writer = new ArchiveWriter(file, ArchiveFormat.Docker))
        {
            foreach (var blob in built.Layers.Prepend(built.Config).Append(built.Root))
            {
                await using var content = await built.OpenAsync(blob, CancellationToken.None);
                await writer.WriteAsync(blob, content, CancellationToken.None);
            }

            await writer.TagAsync("xpkg.crossplane.io/crossplane-contrib/function-go-templating:v0.0.0", built.Root, "build", CancellationToken.None);
            await writer.CompleteAsync(CancellationToken.None);
        }

        var archive = ImageArchive.Open(file);
        var image = Assert.Single(archive.Images);
        Assert.Equal(built.Root.Digest, image.Root.Digest);
        byte[] manifest = await ReadAllAsync(archive, image.Root);
        var (package, _) = await new PackageLocator(archive).ParseAsync(image.Root, manifest, CancellationToken.None);
        Assert.Equal("function-go-templating", package.Meta?.Name);
        Assert.Equal(built.Package.Objects.Select(o => o.Name), package.Objects.Select(o => o.Name));
    }

    private static async Task<byte[]> ReadAllAsync(Xpkg.Oci.Content.IContentSource source, Descriptor d)
    {
        await using var stream = await source.OpenAsync(d, CancellationToken.None);
        using var ms = new MemoryStream();
        await stream.CopyToAsync(ms);
        return ms.ToArray();
    }
}
