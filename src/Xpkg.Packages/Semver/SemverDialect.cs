namespace Xpkg.Packages.Semver;

/// <summary>Which Masterminds/semver release to behave like; Crossplane switched between releases.</summary>
public enum SemverDialect
{
    /// <summary>Masterminds/semver v3.4 (Crossplane v2.3 and later): the default.</summary>
    MastermindsV3,

    /// <summary>
    /// Masterminds/semver v1.5.0 (Crossplane up to v2.2): only commas AND comparisons, <c>^</c> keeps just the
    /// major version, <c>1.2</c> means exactly 1.2.0, and a prerelease version only satisfies comparisons
    /// that themselves name a prerelease.
    /// </summary>
    MastermindsV1,
}
