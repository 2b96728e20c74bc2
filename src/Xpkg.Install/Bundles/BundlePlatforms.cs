using Xpkg.Oci;

namespace Xpkg.Install.Bundles;

/// <summary>Which manifests of each multi-platform image (index) a bundle carries.</summary>
public sealed record BundlePlatforms
{
    /// <summary>What the cache holds of each index (the index itself whole); a partial one is reported, not fetched.</summary>
    public static BundlePlatforms AsCached { get; } = new();

    /// <summary>Every manifest of every index, fetched from the registry where the cache lacks it (<c>--all-platforms</c>).</summary>
    public static BundlePlatforms All { get; } = new() { Required = true };

    /// <summary>The manifests for these platforms only, fetched where the cache lacks them (<c>--platform</c>).</summary>
    public static BundlePlatforms Only(IReadOnlyList<Platform> platforms) => new() { Required = true, Platforms = platforms };

    /// <summary>Whether every chosen manifest must be in the bundle (fetched, or the bundle fails).</summary>
    public bool Required { get; private init; }

    /// <summary>The platforms chosen; null chooses every manifest of an index.</summary>
    public IReadOnlyList<Platform>? Platforms { get; private init; }
}
