using Xpkg.Oci;

namespace Xpkg.Packages.Semver;

/// <summary>
/// A <c>dependsOn[].version</c>: a digest, which pins one exact package and is compared as text, or a
/// semver constraint checked against the installed version's tag. Crossplane tells them apart by whether
/// the text parses as a digest.
/// </summary>
public sealed class DependencyConstraint
{
    private DependencyConstraint(string original, Digest? digest, VersionConstraint? constraint)
    {
        Original = original;
        Digest = digest;
        Constraint = constraint;
    }

    public string Original { get; }

    /// <summary>The pinned digest, when the constraint is one.</summary>
    public Digest? Digest { get; }

    /// <summary>The semver constraint, when the constraint is not a digest.</summary>
    public VersionConstraint? Constraint { get; }

    public static bool TryParse(string text, SemverDialect dialect, out DependencyConstraint result, out string error)
    {
        if (Oci.Digest.TryParse(text, out var digest))
        {
            result = new DependencyConstraint(text, digest, null);
            error = "";
            return true;
        }

        bool ok = VersionConstraint.TryParse(text, dialect, out var constraint, out error);
        result = ok ? new DependencyConstraint(text, null, constraint) : null!;
        return ok;
    }

    public static DependencyConstraint Parse(string text, SemverDialect dialect = SemverDialect.MastermindsV3)
        => TryParse(text, dialect, out var c, out string error)
            ? c
            : throw new InvalidInputException($"invalid dependency version \"{text}\": {error}",
                "use a semver constraint such as \">=v1.0.0\" or a digest sha256:<64 hex>");

    /// <summary>
    /// True when an installed package whose version (tag or digest) is <paramref name="installed"/>
    /// satisfies this constraint. A tag that is not a version satisfies no semver constraint.
    /// </summary>
    public bool IsSatisfiedBy(string installed)
    {
        if (Digest is { } pinned)
        {
            return string.Equals(installed, pinned.ToString(), StringComparison.Ordinal);
        }

        var dialect = Constraint!.Dialect;
        return SemanticVersion.TryParse(installed, dialect, out var version, out _) && Constraint.IsSatisfiedBy(version);
    }

    /// <summary>
    /// The version Crossplane installs for a missing dependency: the highest complete tag that satisfies
    /// the constraint, or null. Not meaningful for a digest, which is installed as it is.
    /// </summary>
    public string? SelectHighest(IEnumerable<string> tags)
    {
        if (Constraint is null)
        {
            return null;
        }

        return SemanticVersion.FilterAndSort(tags, Constraint.Dialect)
            .Where(v => v.IsComplete && Constraint.IsSatisfiedBy(v))
            .Select(v => v.Original)
            .LastOrDefault();
    }
}
