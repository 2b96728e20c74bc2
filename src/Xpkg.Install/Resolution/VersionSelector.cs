using Xpkg.Packages.Semver;

namespace Xpkg.Install.Resolution;

/// <summary>
/// Picks a tag for a new dependency as Crossplane's resolver does: tags that are not semver are dropped, so
/// are incomplete versions (a tag <c>v1</c> must never satisfy <c>v1.0.0</c>), and the highest version
/// that satisfies every constraint wins. Versions and constraints follow the Masterminds release of the
/// Crossplane being imitated (v1.5 up to Crossplane v2.2, v3 from v2.3): caret on 0.x and prereleases differ.
/// </summary>
public sealed class VersionSelector
{
    /// <summary>The first Crossplane release that checks constraints with Masterminds/semver v3.</summary>
    public static readonly SemanticVersion FirstV3Release = SemanticVersion.Parse("2.3.0-0");

    public VersionSelector(SemverDialect dialect)
    {
        Dialect = dialect;
    }

    public SemverDialect Dialect { get; }

    /// <summary>The dialect of a Crossplane version: v1.5 rules before v2.3.</summary>
    public static SemverDialect DialectOf(SemanticVersion crossplane)
        => crossplane < FirstV3Release ? SemverDialect.MastermindsV1 : SemverDialect.MastermindsV3;

    /// <summary>The complete semver tags among <paramref name="tags"/>, ascending (Crossplane's FilterAndSortVersions, then complete ones).</summary>
    public IReadOnlyList<(string Tag, SemanticVersion Version)> Candidates(IEnumerable<string> tags)
        => SemanticVersion.FilterAndSort(tags, Dialect).Where(v => v.IsComplete).Select(v => (v.Original, v)).ToList();

    /// <summary>The highest tag satisfying all constraints, or null.</summary>
    public string? Highest(IEnumerable<string> tags, IReadOnlyList<VersionConstraint> constraints)
        => Candidates(tags).LastOrDefault(c => constraints.All(k => k.IsSatisfiedBy(c.Version))).Tag;

    /// <summary>True when a tag satisfies a constraint; tags that are not complete semver versions satisfy nothing.</summary>
    public bool Satisfies(string tag, VersionConstraint constraint)
    {
        // The resolver checks every requirement on every pass: each tag is parsed once.
        if (!_versions.TryGetValue(tag, out var version))
        {
            version = SemanticVersion.TryParse(tag, Dialect, out var v, out _) && v.IsComplete ? v : null;
            _versions[tag] = version;
        }

        return version is not null && constraint.IsSatisfiedBy(version);
    }

    public bool TryParseConstraint(string text, out VersionConstraint constraint, out string error)
    {
        if (_constraints.TryGetValue(text, out var known))
        {
            (constraint, error) = (known.Constraint!, known.Error);
            return known.Constraint is not null;
        }

        bool ok = VersionConstraint.TryParse(text, Dialect, out constraint, out error);
        _constraints[text] = (ok ? constraint : null, error);
        return ok;
    }

    private readonly Dictionary<string, SemanticVersion?> _versions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (VersionConstraint? Constraint, string Error)> _constraints = new(StringComparer.Ordinal);
}
