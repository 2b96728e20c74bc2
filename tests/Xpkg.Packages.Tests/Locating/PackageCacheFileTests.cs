using Xpkg.Oci;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Tests.Locating;

public class PackageCacheFileTests
{
    [Fact]
    public async Task Round_trips_the_extracted_package_stream()
    {
        var xpkg = XpkgFile.Open();
        var (root, manifest) = xpkg.Manifest(annotated: true);
        using var cache = new MemoryStream();
        await using (var stream = await new PackageLocator(xpkg.Source).OpenAsync(root, manifest, CancellationToken.None))
        {
            await PackageCacheFile.WriteAsync(stream, cache, CancellationToken.None);
        }

        Assert.Equal(new byte[] { 0x1f, 0x8b }, cache.ToArray()[..2]);
        cache.Position = 0;
        var package = await PackageCacheFile.ParseAsync(cache, "function-conditional-patch-and-transform-9b3dd.gz", CancellationToken.None);
        Assert.Equal("function-conditional-patch-and-transform", package.Meta?.Name);
        Assert.Single(package.Objects);
    }

    [Fact]
    public async Task A_file_that_is_not_gzip_is_bad_input()
    {
        using var notGzip = new MemoryStream("apiVersion: v1\n"u8.ToArray());
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => PackageCacheFile.ParseAsync(notGzip, "x.gz", CancellationToken.None));
        Assert.StartsWith("x.gz: not a gzip-compressed package stream", e.Message, StringComparison.Ordinal);
    }
}
