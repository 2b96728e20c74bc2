namespace Xpkg.Packages.Semver;

/// <summary>
/// One comparison inside a constraint, e.g. <c>&gt;=1.2.x</c>. A wildcard or missing part makes the
/// comparison "dirty"; each operator then treats the wildcard the way Masterminds/semver v3 does, which is
/// not always what a plain range rewrite would give (e.g. <c>&gt;11</c> means <c>&gt;=12.0.0</c>).
/// </summary>
internal sealed partial class VersionComparison
{
    public VersionComparison(string op, string original, SemanticVersion version, bool dirty, bool minorDirty, bool patchDirty)
    {
        Operator = op;
        Original = original;
        Version = version;
        Dirty = dirty;
        MinorDirty = minorDirty;
        PatchDirty = patchDirty;
    }

    public string Operator { get; }

    /// <summary>The version text as written (e.g. <c>4.x</c>).</summary>
    public string Original { get; }

    public SemanticVersion Version { get; }

    public bool Dirty { get; }

    public bool MinorDirty { get; }

    public bool PatchDirty { get; }

    public SemverDialect Dialect { get; init; }

    public override string ToString() => Operator + Original;

    public bool Check(SemanticVersion v, bool includePrerelease)
    {
        if (Dialect == SemverDialect.MastermindsV1)
        {
            return CheckV1(v);
        }

        if (v.IsPrerelease && !includePrerelease)
        {
            return false;
        }

        return Operator switch
        {
            "" or "=" => Dirty ? Tilde(v) : v.CompareTo(Version) == 0,
            "!=" => NotEqual(v),
            ">" => GreaterThan(v),
            "<" => v.CompareTo(Version) < 0,
            ">=" or "=>" => v.CompareTo(Version) >= 0,
            "<=" or "=<" => LessThanOrEqual(v),
            "~" or "~>" => Tilde(v),
            "^" => Caret(v),
            _ => false,
        };
    }

    private bool NotEqual(SemanticVersion v)
    {
        if (Dirty)
        {
            if (Version.Major != v.Major)
            {
                return true;
            }

            if (Version.Minor != v.Minor && !MinorDirty)
            {
                return true;
            }

            if (MinorDirty)
            {
                return false;
            }

            if (Version.Patch != v.Patch && !PatchDirty)
            {
                return true;
            }

            if (PatchDirty)
            {
                return (v.IsPrerelease || Version.IsPrerelease)
                    && SemanticVersion.ComparePrerelease(v.Prerelease, Version.Prerelease) != 0;
            }
        }

        return v.CompareTo(Version) != 0;
    }

    private bool GreaterThan(SemanticVersion v)
    {
        if (!Dirty)
        {
            return v.CompareTo(Version) > 0;
        }

        if (v.Major != Version.Major)
        {
            return v.Major > Version.Major;
        }

        if (MinorDirty)
        {
            return false;
        }

        if (PatchDirty)
        {
            return v.Minor > Version.Minor;
        }

        return v.CompareTo(Version) > 0;
    }

    private bool LessThanOrEqual(SemanticVersion v)
    {
        if (!Dirty)
        {
            return v.CompareTo(Version) <= 0;
        }

        if (v.Major > Version.Major)
        {
            return false;
        }

        return !(v.Major == Version.Major && v.Minor > Version.Minor && !MinorDirty);
    }

    // ~1.2.3 = >=1.2.3 <1.3.0; ~1 = >=1.0.0 <2.0.0; ~0.0.0 = anything.
    private bool Tilde(SemanticVersion v)
    {
        if (v.CompareTo(Version) < 0)
        {
            return false;
        }

        if (Version.Major == 0 && Version.Minor == 0 && Version.Patch == 0 && !MinorDirty && !PatchDirty)
        {
            return true;
        }

        if (v.Major != Version.Major)
        {
            return false;
        }

        return v.Minor == Version.Minor || MinorDirty;
    }

    // ^1.2.3 = >=1.2.3 <2.0.0; ^0.2.3 = >=0.2.3 <0.3.0; ^0.0.3 = >=0.0.3 <0.0.4; ^0.0 = <0.1.0; ^0 = <1.0.0.
    private bool Caret(SemanticVersion v)
    {
        if (v.CompareTo(Version) < 0)
        {
            return false;
        }

        if (Version.Major > 0 || MinorDirty)
        {
            return v.Major == Version.Major;
        }

        if (v.Major > 0)
        {
            return false;
        }

        if (Version.Minor > 0 || PatchDirty)
        {
            return v.Minor == Version.Minor;
        }

        if (v.Minor > 0)
        {
            return false;
        }

        return v.Patch == Version.Patch;
    }
}
