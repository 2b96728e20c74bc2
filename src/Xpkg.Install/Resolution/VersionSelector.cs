using System.Text.RegularExpressions;
using Xpkg.Packages.Semver;

namespace Xpkg.Install.Resolution;

/// <summary>
/// Picks a tag for a new dependency as Crossplane's resolver does: tags that are not semver are dropped, so
/// are incomplete versions (a tag <c>v1</c> must never satisfy <c>v1.0.0</c>), and the highest version
/// that satisfies every constraint wins. Prereleases count only where a constraint names one.
/// </summary>
public static partial class VersionSelector
{
    /// <summary>The complete semver tags among <paramref name="tags"/>, ascending.</summary>
    public static IReadOnlyList<(string Tag, SemanticVersion Version)> Candidates(IEnumerable<string> tags)
        => tags.Where(t => CompleteRegex().IsMatch(t))
            .Select(t => SemanticVersion.TryParse(t, out var v) ? (t, v) : (t, null!))
            .Where(p => p.Item2 is not null)
            .OrderBy(p => p.Item2)
            .ThenBy(p => p.t, StringComparer.Ordinal)
            .Select(p => (p.t, p.Item2))
            .ToList();

    /// <summary>The highest tag satisfying all constraints, or null.</summary>
    public static string? Highest(IEnumerable<string> tags, IReadOnlyList<VersionConstraint> constraints)
        => Candidates(tags).LastOrDefault(c => constraints.All(k => k.IsSatisfiedBy(c.Version))).Tag;

    /// <summary>True when a tag (or digest-less version) satisfies a constraint; non-semver tags satisfy nothing.</summary>
    public static bool Satisfies(string tag, VersionConstraint constraint)
        => SemanticVersion.TryParse(tag, out var v) && constraint.IsSatisfiedBy(v);

    [GeneratedRegex(@"^v?[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$")]
    private static partial Regex CompleteRegex();
}
