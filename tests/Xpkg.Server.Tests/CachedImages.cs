using System.Text.Json.Nodes;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>What a cache holds, read with <c>xpkg images -o json</c> (which works while a server uses the cache).</summary>
public static class CachedImages
{
    /// <summary>The digest the cache has for <paramref name="reference"/>; fails the test when it has none.</summary>
    public static async Task<string> DigestAsync(string cache, string reference)
    {
        var r = await Run.XpkgAsync(cache, "images", "-o", "json");
        Assert.True(r.ExitCode == 0, r.ToString());
        var image = JsonNode.Parse(r.Stdout)!.AsArray().FirstOrDefault(i => (string?)i!["ref"] == reference);
        Assert.True(image is not null, $"{reference} is not in the cache: {r.Stdout}");
        return (string)image["digest"]!;
    }
}
