namespace Xpkg.Packages.Semver;

/// <summary>The operators as Masterminds/semver v1.5.0 implements them (Crossplane up to v2.2).</summary>
internal sealed partial class VersionComparison
{
    private bool CheckV1(SemanticVersion v)
    {
        // v1.5 decides per comparison: a prerelease only satisfies comparisons that name one.
        if (v.IsPrerelease && !Version.IsPrerelease)
        {
            return false;
        }

        return Operator switch
        {
            "" or "=" => Dirty ? Tilde(v) : v.CompareTo(Version) == 0,
            "!=" => NotEqualV1(v),
            ">" => v.CompareTo(Version) > 0,
            "<" => Dirty ? LessThanDirtyV1(v) : v.CompareTo(Version) < 0,
            ">=" or "=>" => v.CompareTo(Version) >= 0,
            "<=" or "=<" => Dirty ? LessThanDirtyV1(v) : v.CompareTo(Version) <= 0,
            "~" or "~>" => Tilde(v),
            "^" => v.CompareTo(Version) >= 0 && v.Major == Version.Major,
            _ => false,
        };
    }

    private bool NotEqualV1(SemanticVersion v)
    {
        if (!Dirty)
        {
            return v.CompareTo(Version) != 0;
        }

        if (Version.Major != v.Major)
        {
            return true;
        }

        return Version.Minor != v.Minor && !MinorDirty;
    }

    // Both < and <= with a wildcard: only the major and (unless it is the wildcard) the minor are compared.
    private bool LessThanDirtyV1(SemanticVersion v)
        => v.Major <= Version.Major && !(v.Minor > Version.Minor && !MinorDirty);
}
