using Xpkg.Testing;

namespace Xpkg.Tests.Cli;

/// <summary><c>images</c> only reads: listing a cache that does not exist yet creates nothing.</summary>
public sealed class ImagesCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task ImagesOfAMissingCacheIsEmptyAndCreatesNothing()
    {
        string cache = _dir.Combine("not-yet");

        var table = await Run.XpkgAsync(cache, "images");
        var json = await Run.XpkgAsync(cache, "images", "-o", "json");

        Assert.True(table.ExitCode == 0, table.ToString());
        Assert.True(json.ExitCode == 0, json.ToString());
        Assert.Equal("[]", json.Stdout.Trim());
        Assert.False(Directory.Exists(cache));
    }
}
