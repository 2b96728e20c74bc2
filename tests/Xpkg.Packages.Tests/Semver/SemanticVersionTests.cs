using Xpkg.Packages.Semver;

namespace Xpkg.Packages.Tests.Semver;

public class SemanticVersionTests
{
    [Theory]
    [InlineData("1.2.3", 1ul, 2ul, 3ul, "", "")]
    [InlineData("v1.2.3", 1ul, 2ul, 3ul, "", "")]
    [InlineData("1.2", 1ul, 2ul, 0ul, "", "")]
    [InlineData("v1", 1ul, 0ul, 0ul, "", "")]
    [InlineData("1.2.3-beta.1+build.5", 1ul, 2ul, 3ul, "beta.1", "build.5")]
    [InlineData("1.2-rc1", 1ul, 2ul, 0ul, "rc1", "")]
    [InlineData("01.002.3", 1ul, 2ul, 3ul, "", "")]
    [InlineData("v0.0.0-test", 0ul, 0ul, 0ul, "test", "")]
    public void Parses_loose_versions(string text, ulong major, ulong minor, ulong patch, string pre, string meta)
    {
        var v = SemanticVersion.Parse(text);
        Assert.Equal((major, minor, patch, pre, meta, text), (v.Major, v.Minor, v.Patch, v.Prerelease, v.Metadata, v.Original));
    }

    [Theory]
    [InlineData("", "invalid semantic version")]
    [InlineData("latest", "invalid semantic version")]
    [InlineData("1.2.3.4", "invalid semantic version")]
    [InlineData("V1.2.3", "invalid semantic version")]
    [InlineData("1.2.3-01", "version segment starts with 0")]
    [InlineData("1.2.3-a..b", "invalid semantic version")]
    [InlineData("1.2.3\n", "invalid semantic version")]
    [InlineData(" 1.2.3", "invalid semantic version")]
    [InlineData("99999999999999999999.0.0", "error parsing version segment: value out of range: \"99999999999999999999\"")]
    public void Rejects_invalid_versions(string text, string error)
    {
        Assert.False(SemanticVersion.TryParse(text, out _, out string actual));
        Assert.Equal(error, actual);
    }

    [Theory]
    [InlineData("1.0.0", "2.0.0", -1)]
    [InlineData("2.1.0", "2.0.9", 1)]
    [InlineData("1.0.0-alpha", "1.0.0", -1)]
    [InlineData("1.0.0-alpha", "1.0.0-alpha.1", -1)]
    [InlineData("1.0.0-alpha.1", "1.0.0-alpha.beta", -1)]
    [InlineData("1.0.0-alpha.beta", "1.0.0-beta", -1)]
    [InlineData("1.0.0-beta.2", "1.0.0-beta.11", -1)]
    [InlineData("1.0.0-beta.11", "1.0.0-rc.1", -1)]
    [InlineData("1.0.0-BETA", "1.0.0-alpha", -1)]
    [InlineData("1.0.0+a", "1.0.0+b", 0)]
    [InlineData("v1.2", "1.2.0", 0)]
    public void Compares_by_semver_precedence(string a, string b, int expected)
    {
        var x = SemanticVersion.Parse(a);
        var y = SemanticVersion.Parse(b);
        Assert.Equal(expected, x.CompareTo(y));
        Assert.Equal(-expected, y.CompareTo(x));
        Assert.Equal(expected == 0, x == y);
    }

    [Fact]
    public void ToString_is_canonical_without_v()
        => Assert.Equal("1.2.0-rc.1+b", SemanticVersion.Parse("v1.2-rc.1+b").ToString());

    [Fact]
    public void Sorting_orders_prereleases_before_releases()
    {
        string[] sorted = new[] { "v0.2.0", "v0.1.0", "v0.2.0-rc.1", "v0.10.0", "v0.2.0-alpha" }
            .Select(SemanticVersion.Parse).Order().Select(v => v.Original).ToArray();
        Assert.Equal(new[] { "v0.1.0", "v0.2.0-alpha", "v0.2.0-rc.1", "v0.2.0", "v0.10.0" }, sorted);
    }
}
