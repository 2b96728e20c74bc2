namespace Xpkg.Install.CacheExport;

/// <summary>Where to write Crossplane package-cache entries for the installed packages, and in which release's layout.</summary>
public sealed record CrossplaneCacheExport(string Directory, CrossplaneCacheLayout Layout = CrossplaneCacheLayout.V22)
{
    /// <summary>Reads <c>v2.2</c> (also <c>v2.2+</c>, the default) or <c>v2.1</c>.</summary>
    public static CrossplaneCacheLayout ParseLayout(string text) => text.Trim().TrimStart('v', 'V') switch
    {
        "2.2" or "2.2+" or "" => CrossplaneCacheLayout.V22,
        "2.1" => CrossplaneCacheLayout.V21,
        _ => throw new Oci.InvalidInputException($"--crossplane-cache-layout: \"{text}\" is not a known layout",
            "use v2.2 (Crossplane v2.2 and later, the default) or v2.1 (Crossplane v1.7 to v2.1)"),
    };
}
