using Xpkg.Server;

namespace Xpkg.Server.Tests;

/// <summary>Path parsing (names with slashes and operation words) and Range header resolution.</summary>
public sealed class RouteAndRangeTests
{
    [Theory]
    [InlineData("/v2/", RouteKind.Base, "", "")]
    [InlineData("/v2", RouteKind.Base, "", "")]
    [InlineData("/v2/_catalog", RouteKind.Catalog, "", "")]
    [InlineData("/v2/a/b/c/manifests/latest", RouteKind.Manifest, "a/b/c", "latest")]
    [InlineData("/v2/x/manifests/y/manifests/latest", RouteKind.Manifest, "x/manifests/y", "latest")]
    [InlineData("/v2/test/blobs/uploads/", RouteKind.UploadStart, "test", "")]
    [InlineData("/v2/test/blobs/uploads/abc", RouteKind.Upload, "test", "abc")]
    [InlineData("/v2/test/blobs/sha256:00", RouteKind.Blob, "test", "sha256:00")]
    [InlineData("/v2/t/tags/list", RouteKind.Tags, "t", "list")]
    [InlineData("/v2/t/referrers/sha256:00", RouteKind.Referrers, "t", "sha256:00")]
    public void Parse_FindsKindNameAndArgument(string path, RouteKind kind, string name, string argument)
    {
        var route = RegistryRoute.Parse(path);
        Assert.NotNull(route);
        Assert.Equal((kind, name, argument), (route.Kind, route.Name, route.Argument));
    }

    [Theory]
    [InlineData("/v2/t/tags/other")]
    [InlineData("/v2/t/blobs/")]
    [InlineData("/v2/t/manifests/")]
    [InlineData("/v3/t/manifests/latest")]
    [InlineData("/v2/t")]
    public void Parse_RejectsOtherPaths(string path) => Assert.Null(RegistryRoute.Parse(path));

    [Theory]
    [InlineData("library/alpine", true)]
    [InlineData("a__b/c-d.e", true)]
    [InlineData("UPPER", false)]
    [InlineData("trailing-", false)]
    [InlineData("double//slash", false)]
    [InlineData("..", false)]
    public void Names_FollowTheSpecGrammar(string name, bool valid) => Assert.Equal(valid, RegistryRoute.IsValidName(name));

    [Fact]
    public void Names_AreCappedAt255Characters()
    {
        Assert.True(RegistryRoute.IsValidName(new string('a', 255)));
        Assert.False(RegistryRoute.IsValidName(new string('a', 256)));
    }

    [Theory]
    [InlineData("bytes=0-99", 1000, 0L, 100L)]
    [InlineData("bytes=900-", 1000, 900L, 100L)]
    [InlineData("bytes=-10", 1000, 990L, 10L)]
    [InlineData("bytes=990-5000", 1000, 990L, 10L)]
    [InlineData("bytes=-5000", 1000, 0L, 1000L)]
    public void Range_ResolvesSatisfiableRanges(string header, long total, long start, long length)
    {
        Assert.True(ByteRange.TryResolve(header, total, out var range));
        Assert.Equal(new ByteRange(start, length), range);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("items=0-1")]
    [InlineData("bytes=0-1,5-6")]
    [InlineData("bytes=9-2")]
    [InlineData("bytes=abc")]
    public void Range_IgnoresAbsentOrUnusableHeaders(string? header)
    {
        Assert.True(ByteRange.TryResolve(header, 1000, out var range));
        Assert.Null(range);
    }

    [Theory]
    [InlineData("bytes=1000-")]
    [InlineData("bytes=-0")]
    public void Range_ReportsUnsatisfiableRanges(string header) => Assert.False(ByteRange.TryResolve(header, 1000, out _));
}
