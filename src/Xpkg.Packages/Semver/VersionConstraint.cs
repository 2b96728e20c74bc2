using System.Globalization;
using System.Text.RegularExpressions;

namespace Xpkg.Packages.Semver;

/// <summary>
/// A version constraint with the grammar and semantics of Masterminds/semver v3.4 <c>NewConstraint</c>, the
/// library Crossplane checks <c>spec.crossplane.version</c> and <c>dependsOn[].version</c> with:
/// comparisons separated by spaces or commas are ANDed, <c>||</c> separates OR groups, hyphen ranges,
/// <c>x</c>/<c>X</c>/<c>*</c> wildcards, <c>~</c>, <c>^</c>, and an optional <c>v</c> on every version.
/// A prerelease version satisfies an AND group only when a comparison in that group names a prerelease.
/// </summary>
public sealed partial class VersionConstraint
{
    private const int MatchTimeoutMilliseconds = 1000;

    // The building blocks are Masterminds' patterns; Go's \s is [\t\n\f\r ] and its $ is .NET's \z.
    private const string Space = @"[\t\n\f\r ]";
    private const string Operators = @"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";
    private const string VersionPattern = @"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
        + @"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
        + @"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";

    private readonly IReadOnlyList<IReadOnlyList<VersionComparison>> _groups;
    private readonly bool[] _groupNamesPrerelease;

    private VersionConstraint(string original, IReadOnlyList<IReadOnlyList<VersionComparison>> groups, bool[] groupNamesPrerelease)
    {
        Original = original;
        _groups = groups;
        _groupNamesPrerelease = groupNamesPrerelease;
    }

    /// <summary>The Masterminds release whose semantics this constraint follows.</summary>
    public SemverDialect Dialect { get; private init; }

    /// <summary>The constraint as written.</summary>
    public string Original { get; }

    /// <summary>Lets prereleases satisfy every group, as Masterminds' <c>IncludePrerelease</c> does.</summary>
    public bool IncludePrerelease { get; private init; }

    /// <summary>A copy that lets prereleases satisfy every group.</summary>
    public VersionConstraint IncludingPrereleases()
        => new(Original, _groups, _groupNamesPrerelease) { IncludePrerelease = true, Dialect = Dialect };

    public static VersionConstraint Parse(string constraint, SemverDialect dialect = SemverDialect.MastermindsV3)
        => TryParse(constraint, dialect, out var c, out var error) ? c : throw new FormatException(error);

    public static bool TryParse(string? constraint, out VersionConstraint result, out string error)
        => TryParse(constraint, SemverDialect.MastermindsV3, out result, out error);

    /// <summary>
    /// Parses a constraint. On failure <paramref name="error"/> is Masterminds' message, e.g.
    /// <c>improper constraint: &gt;&gt;1</c>, which Crossplane shows to users unchanged.
    /// </summary>
    public static bool TryParse(string? constraint, SemverDialect dialect, out VersionConstraint result, out string error)
    {
        result = null!;
        constraint ??= "";
        if (dialect == SemverDialect.MastermindsV1)
        {
            return TryParseV1(constraint, out result, out error);
        }

        string rewritten = RewriteHyphenRanges(constraint);
        string[] ors = rewritten.Split("||");
        var groups = new List<IReadOnlyList<VersionComparison>>(ors.Length);
        bool[] hasPrerelease = new bool[ors.Length];
        for (int k = 0; k < ors.Length; k++)
        {
            string segment = ors[k];
            if (!ValidGroupRegex().IsMatch(segment))
            {
                error = "improper constraint: " + segment;
                return false;
            }

            var found = FindComparisonRegex().Matches(segment).Select(m => m.Value).ToList();
            if (found.Count == 0)
            {
                found.Add(segment);
            }

            var group = new List<VersionComparison>(found.Count);
            foreach (string text in found)
            {
                if (!TryParseComparison(text, out var comparison, out error))
                {
                    return false;
                }

                hasPrerelease[k] |= comparison.Version.IsPrerelease;
                group.Add(comparison);
            }

            groups.Add(group);
        }

        result = new VersionConstraint(constraint, groups, hasPrerelease);
        error = "";
        return true;
    }

    /// <summary>True when <paramref name="version"/> satisfies every comparison of at least one OR group.</summary>
    public bool IsSatisfiedBy(SemanticVersion version)
    {
        for (int i = 0; i < _groups.Count; i++)
        {
            bool includePrerelease = IncludePrerelease || _groupNamesPrerelease[i];
            if (_groups[i].All(c => c.Check(version, includePrerelease)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Masterminds' normalised form: comparisons joined by spaces, groups by <c> || </c>.</summary>
    public override string ToString() => string.Join(" || ", _groups.Select(g => string.Join(" ", g)));

    // v1.5: only commas separate comparisons; each part must be exactly one comparison.
    private static bool TryParseV1(string constraint, out VersionConstraint result, out string error)
    {
        result = null!;
        var groups = new List<IReadOnlyList<VersionComparison>>();
        foreach (string or in RewriteHyphenRanges(constraint, ">= {0}, <= {1}").Split("||"))
        {
            var group = new List<VersionComparison>();
            foreach (string part in or.Split(','))
            {
                if (!TryParseComparison(part, SemverDialect.MastermindsV1, out var comparison, out error))
                {
                    return false;
                }

                group.Add(comparison);
            }

            groups.Add(group);
        }

        result = new VersionConstraint(constraint, groups, new bool[groups.Count]) { Dialect = SemverDialect.MastermindsV1 };
        error = "";
        return true;
    }

    private static bool TryParseComparison(string text, out VersionComparison comparison, out string error)
        => TryParseComparison(text, SemverDialect.MastermindsV3, out comparison, out error);

    private static bool TryParseComparison(string text, SemverDialect dialect, out VersionComparison comparison, out string error)
    {
        comparison = null!;
        Match m;
        try
        {
            m = ComparisonRegex().Match(text);
        }
        catch (RegexMatchTimeoutException)
        {
            m = Match.Empty;
        }

        if (!m.Success)
        {
            error = "improper constraint: " + text;
            return false;
        }

        string op = m.Groups[1].Value;
        string written = m.Groups[2].Value;
        string major = m.Groups[3].Value;
        string minor = m.Groups[4].Value.TrimStart('.');
        string patch = m.Groups[5].Value.TrimStart('.');
        string prerelease = m.Groups[6].Value;
        string version = written;
        bool dirty = false, minorDirty = false, patchDirty = false;
        bool v1 = dialect == SemverDialect.MastermindsV1;
        if (IsWildcard(major) || major.Length == 0)
        {
            // v1.5 drops a prerelease written after the wildcard.
            version = "0.0.0" + (v1 ? "" : prerelease);
            dirty = true;
        }
        else if (IsWildcard(minor) || minor.Length == 0)
        {
            version = major + ".0.0" + prerelease;
            dirty = minorDirty = true;
        }
        else if (IsWildcard(patch) || (patch.Length == 0 && !v1))
        {
            // v3 reads "1.2" as "1.2.x"; v1.5 as exactly 1.2.0.
            version = major + "." + minor + ".0" + prerelease;
            dirty = patchDirty = true;
        }

        if (!SemanticVersion.TryParse(version, dialect, out var parsed, out _))
        {
            // The pattern admits what no version parses, e.g. "1x" or "1|2".
            error = v1 ? "constraint Parser Error" : "constraint parser error";
            return false;
        }

        comparison = new VersionComparison(op, written, parsed, dirty, minorDirty, patchDirty) { Dialect = dialect };
        error = "";
        return true;
    }

    private static bool IsWildcard(string s) => s is "x" or "X" or "*";

    // "1.2 - 1.4.5" becomes ">= 1.2, <= 1.4.5 " (v1.5: no trailing space); Masterminds replaces the first
    // occurrence of each match text.
    private static string RewriteHyphenRanges(string constraint, string format = ">= {0}, <= {1} ")
    {
        string result = constraint;
        foreach (Match m in HyphenRangeRegex().Matches(constraint))
        {
            string replacement = string.Format(CultureInfo.InvariantCulture, format, m.Groups[1].Value, m.Groups[11].Value);
            int at = result.IndexOf(m.Value, StringComparison.Ordinal);
            if (at >= 0)
            {
                result = string.Concat(result.AsSpan(0, at), replacement, result.AsSpan(at + m.Value.Length));
            }
        }

        return result;
    }

    [GeneratedRegex("^" + Space + "*(" + Operators + ")" + Space + "*(" + VersionPattern + ")" + Space + @"*\z", RegexOptions.CultureInvariant, MatchTimeoutMilliseconds)]
    private static partial Regex ComparisonRegex();

    // The scanning patterns use the linear-time engine too: with backtracking, a long run of digits makes
    // them quadratic. Neither has a capture inside a loop, where the two engines could disagree.
    [GeneratedRegex(Space + "*(" + VersionPattern + ")" + Space + "+-" + Space + "+(" + VersionPattern + ")" + Space + "*", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex HyphenRangeRegex();

    [GeneratedRegex("(" + Operators + ")" + Space + "*(" + VersionPattern + ")", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex FindComparisonRegex();

    // Only asks "does it match", so the linear-time engine is safe against pathological input.
    [GeneratedRegex("^(" + Space + "*(" + Operators + ")" + Space + "*(" + VersionPattern + ")" + Space + "*)((?:" + Space + "+|," + Space + "*)(" + Operators + ")" + Space + "*(" + VersionPattern + ")" + Space + @"*)*\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex ValidGroupRegex();
}
