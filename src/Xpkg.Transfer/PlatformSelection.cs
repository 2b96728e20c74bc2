using Xpkg.Oci;

namespace Xpkg.Transfer;

/// <summary>Which manifests of an index a copy keeps for a set of requested platforms.</summary>
public static class PlatformSelection
{
    /// <summary>
    /// The manifests of <paramref name="parsed"/> that serve any of <paramref name="platforms"/> (all of them when null), in
    /// index order. A platform no manifest serves is an error naming <paramref name="index"/> and what it has.
    /// </summary>
    public static List<Descriptor> Select(string index, ParsedManifest parsed, IReadOnlyList<Platform>? platforms)
    {
        if (platforms is null || parsed.Manifests.Count == 0)
        {
            return parsed.Manifests.ToList();
        }

        var chosen = new HashSet<Digest>();
        foreach (var platform in platforms)
        {
            var matching = parsed.Manifests.Where(m => platform.Matches(m.Platform)).ToList();
            if (matching.Count == 0)
            {
                // Crossplane packages are built without os/arch; an index over them (ctr's --index-name) says "linux/".
                matching = parsed.Manifests.Where(m => string.IsNullOrEmpty(m.Platform?.Architecture)).ToList();
            }

            if (matching.Count == 0)
            {
                throw new XpkgException($"index {index} has no manifest for {platform}; it has {string.Join(", ", parsed.Manifests.Select(Name))}",
                    "choose one of those with --platform, or keep them all with --all-platforms");
            }

            chosen.UnionWith(matching.Select(m => m.Digest));
        }

        return parsed.Manifests.Where(m => chosen.Contains(m.Digest)).ToList();
    }

    /// <summary>A manifest of an index as people name it: its platform, or its digest when it declares none.</summary>
    public static string Name(Descriptor manifest)
        => manifest.Platform is { Architecture.Length: > 0 } p ? p.ToString() : manifest.Digest.ToString();
}
