using System.Globalization;
using System.Text.RegularExpressions;

namespace Xpkg.Packages.Semver;

/// <summary>
/// A semantic version parsed the way Masterminds/semver v3 <c>NewVersion</c> does (what Crossplane uses):
/// an optional <c>v</c>, partial versions (<c>1</c>, <c>1.2</c>) completed with zeros, leading zeros in the
/// numbers tolerated, prerelease and build metadata validated. Equality and ordering follow semver
/// precedence, so build metadata is ignored.
/// </summary>
public sealed partial class SemanticVersion : IComparable<SemanticVersion>, IEquatable<SemanticVersion>
{
    private const string Alphanumerics = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

    private SemanticVersion(ulong major, ulong minor, ulong patch, string prerelease, string metadata, string original)
    {
        Major = major;
        Minor = minor;
        Patch = patch;
        Prerelease = prerelease;
        Metadata = metadata;
        Original = original;
    }

    public ulong Major { get; }

    public ulong Minor { get; }

    public ulong Patch { get; }

    /// <summary>The prerelease without its leading <c>-</c>; empty for a release.</summary>
    public string Prerelease { get; }

    /// <summary>The build metadata without its leading <c>+</c>; empty when absent.</summary>
    public string Metadata { get; }

    /// <summary>The text that was parsed, e.g. <c>v1.2</c>.</summary>
    public string Original { get; }

    public bool IsPrerelease => Prerelease.Length > 0;

    /// <summary>
    /// True when all three numbers were written. Crossplane's resolver skips incomplete tags such as
    /// <c>v1</c>, so that a tag <c>v1</c> never stands for <c>v1.0.0</c>.
    /// </summary>
    public bool IsComplete { get; private init; }

    /// <summary>
    /// The tags that parse as versions, in ascending order (what Crossplane's <c>FilterAndSortVersions</c>
    /// returns); equal versions keep their input order.
    /// </summary>
    public static IReadOnlyList<SemanticVersion> FilterAndSort(IEnumerable<string> tags, SemverDialect dialect = SemverDialect.MastermindsV3)
        => tags.Select(t => TryParse(t, dialect, out var v, out _) ? v : null).OfType<SemanticVersion>().Order().ToList();

    public static SemanticVersion Parse(string value)
        => TryParse(value, out var version, out var error)
            ? version
            : throw new FormatException($"invalid version \"{value}\": {error}");

    public static bool TryParse(string? value, out SemanticVersion version) => TryParse(value, out version, out _);

    /// <summary>Parses like Masterminds <c>NewVersion</c>; <paramref name="error"/> carries its error text.</summary>
    public static bool TryParse(string? value, out SemanticVersion version, out string error)
        => TryParse(value, SemverDialect.MastermindsV3, out version, out error);

    /// <summary>
    /// Parses like <c>NewVersion</c> of the given Masterminds release: v1.5 neither validates prerelease and
    /// metadata identifiers nor accepts numbers beyond a signed 64-bit integer.
    /// </summary>
    public static bool TryParse(string? value, SemverDialect dialect, out SemanticVersion version, out string error)
    {
        version = null!;
        var m = value is null ? Match.Empty : LooseVersionRegex().Match(value);
        if (!m.Success)
        {
            error = "invalid semantic version";
            return false;
        }

        ulong max = dialect == SemverDialect.MastermindsV1 ? long.MaxValue : ulong.MaxValue;
        if (!TryParseSegment(m.Groups["major"].Value, max, out ulong major, out error)
            || !TryParseSegment(m.Groups["minor"].Value, max, out ulong minor, out error)
            || !TryParseSegment(m.Groups["patch"].Value, max, out ulong patch, out error))
        {
            return false;
        }

        string pre = m.Groups["pre"].Value;
        string meta = m.Groups["meta"].Value;
        bool complete = m.Groups["minor"].Success && m.Groups["patch"].Success;
        if (dialect == SemverDialect.MastermindsV1)
        {
            version = new SemanticVersion(major, minor, patch, pre, meta, value!) { IsComplete = complete };
            return true;
        }

        error = pre.Length > 0 ? ValidatePrerelease(pre) : "";
        if (error.Length == 0 && meta.Length > 0)
        {
            error = ValidateMetadata(meta);
        }

        if (error.Length > 0)
        {
            return false;
        }

        version = new SemanticVersion(major, minor, patch, pre, meta, value!) { IsComplete = complete };
        return true;
    }

    private static bool TryParseSegment(string digits, ulong max, out ulong result, out string error)
    {
        result = 0;
        error = "";
        if (digits.Length == 0)
        {
            return true;
        }

        if (ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result <= max)
        {
            return true;
        }

        error = $"error parsing version segment: value out of range: \"{digits}\"";
        return false;
    }

    private static string ValidatePrerelease(string pre)
    {
        foreach (string part in pre.Split('.'))
        {
            if (part.Length == 0)
            {
                return "invalid prerelease string";
            }

            if (IsNumeric(part))
            {
                if (part.Length > 1 && part[0] == '0')
                {
                    return "version segment starts with 0";
                }
            }
            else if (!ContainsOnly(part, Alphanumerics))
            {
                return "invalid prerelease string";
            }
        }

        return "";
    }

    private static string ValidateMetadata(string meta)
    {
        foreach (string part in meta.Split('.'))
        {
            if (!ContainsOnly(part, Alphanumerics))
            {
                return "invalid metadata string";
            }
        }

        return "";
    }

    internal static bool IsNumeric(string s) => ContainsOnly(s, "0123456789");

    private static bool ContainsOnly(string s, string allowed)
    {
        foreach (char c in s)
        {
            if (!allowed.Contains(c, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Semver precedence: numbers, then a release above its prereleases, then prerelease identifiers.</summary>
    public int CompareTo(SemanticVersion? other)
    {
        if (other is null)
        {
            return 1;
        }

        int d = Major.CompareTo(other.Major);
        if (d == 0)
        {
            d = Minor.CompareTo(other.Minor);
        }

        if (d == 0)
        {
            d = Patch.CompareTo(other.Patch);
        }

        if (d != 0)
        {
            return Math.Sign(d);
        }

        if (Prerelease.Length == 0 && other.Prerelease.Length == 0)
        {
            return 0;
        }

        if (Prerelease.Length == 0)
        {
            return 1;
        }

        return other.Prerelease.Length == 0 ? -1 : ComparePrerelease(Prerelease, other.Prerelease);
    }

    internal static int ComparePrerelease(string a, string b)
    {
        string[] left = a.Split('.');
        string[] right = b.Split('.');
        int n = Math.Max(left.Length, right.Length);
        for (int i = 0; i < n; i++)
        {
            int d = ComparePrereleasePart(i < left.Length ? left[i] : "", i < right.Length ? right[i] : "");
            if (d != 0)
            {
                return d;
            }
        }

        return 0;
    }

    // Numeric identifiers sort below alphanumeric ones; alphanumerics compare by ASCII ("BETA" < "alpha").
    private static int ComparePrereleasePart(string s, string o)
    {
        if (s == o)
        {
            return 0;
        }

        if (s.Length == 0)
        {
            return -1;
        }

        if (o.Length == 0)
        {
            return 1;
        }

        bool sNumeric = ulong.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out ulong si);
        bool oNumeric = ulong.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out ulong oi);
        if (!sNumeric && !oNumeric)
        {
            return string.CompareOrdinal(s, o) > 0 ? 1 : -1;
        }

        if (!oNumeric)
        {
            return -1;
        }

        if (!sNumeric)
        {
            return 1;
        }

        return si > oi ? 1 : -1;
    }

    public bool Equals(SemanticVersion? other) => other is not null && CompareTo(other) == 0;

    public override bool Equals(object? obj) => Equals(obj as SemanticVersion);

    public override int GetHashCode() => HashCode.Combine(Major, Minor, Patch, Prerelease);

    public static bool operator ==(SemanticVersion? a, SemanticVersion? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(SemanticVersion? a, SemanticVersion? b) => !(a == b);

    public static bool operator <(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) < 0;

    public static bool operator >(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) > 0;

    public static bool operator <=(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) <= 0;

    public static bool operator >=(SemanticVersion a, SemanticVersion b) => a.CompareTo(b) >= 0;

    /// <summary>The canonical form without a <c>v</c>: <c>1.2.0-rc.1+build</c>.</summary>
    public override string ToString()
        => string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}")
            + (Prerelease.Length > 0 ? "-" + Prerelease : "")
            + (Metadata.Length > 0 ? "+" + Metadata : "");

    // Masterminds' "loose" pattern. \z rather than $ because .NET's $ also matches before a final newline.
    [GeneratedRegex(@"^v?(?<major>[0-9]+)(?:\.(?<minor>[0-9]+))?(?:\.(?<patch>[0-9]+))?(?:-(?<pre>[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?(?:\+(?<meta>[0-9A-Za-z\-]+(?:\.[0-9A-Za-z\-]+)*))?\z", RegexOptions.CultureInvariant)]
    private static partial Regex LooseVersionRegex();
}
