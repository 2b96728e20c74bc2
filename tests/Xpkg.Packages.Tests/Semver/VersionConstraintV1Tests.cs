using Xpkg.Packages.Semver;

namespace Xpkg.Packages.Tests.Semver;

/// <summary>Masterminds/semver v1.5.0 behaviour (Crossplane up to v2.2), with its own test vectors.</summary>
public class VersionConstraintV1Tests
{
    [Theory]
    [InlineData("*", "1.2.3", true)]
    [InlineData("~0.0.0", "1.2.3", true)]
    [InlineData("0.x.x", "1.2.3", false)]
    [InlineData("0.0.x", "1.2.3", false)]
    [InlineData("0.0.0", "1.2.3", false)]
    [InlineData("^0.0.0", "1.2.3", false)]
    [InlineData("= 2.0", "1.2.3", false)]
    [InlineData("= 2.0", "2.0.0", true)]
    [InlineData("4.1", "4.1.0", true)]
    [InlineData("4.1.x", "4.1.3", true)]
    [InlineData("1.x", "1.4", true)]
    [InlineData("!=4.1", "4.1.0", false)]
    [InlineData("!=4.1-alpha", "4.1.0-alpha", false)]
    [InlineData("!=4.1-alpha", "4.1.0", true)]
    [InlineData("!=4.1", "5.1.0", true)]
    [InlineData("!=4.x", "5.1.0", true)]
    [InlineData("!=4.x", "4.1.0", false)]
    [InlineData("!=4.1.x", "4.2.0", true)]
    [InlineData("!=4.2.x", "4.2.3", false)]
    [InlineData(">1.1", "4.1.0", true)]
    [InlineData(">1.1", "1.1.0", false)]
    [InlineData("<1.1", "0.1.0", true)]
    [InlineData("<1.1", "1.1.0", false)]
    [InlineData("<1.1", "1.1.1", false)]
    [InlineData("<1.x", "1.1.1", true)]
    [InlineData("<1.x", "2.0.0", false)]
    [InlineData("<1.1.x", "1.2.1", false)]
    [InlineData("<1.1.x", "1.1.500", true)]
    [InlineData("<1.2.x", "1.1.1", true)]
    [InlineData(">=1.1", "4.1.0", true)]
    [InlineData(">=1.1", "4.1.0-beta", false)]
    [InlineData(">=1.1", "1.1.0", true)]
    [InlineData(">=1.1", "0.0.9", false)]
    [InlineData("<=1.1", "0.1.0", true)]
    [InlineData("<=1.1", "0.1.0-alpha", false)]
    [InlineData("<=1.1-a", "0.1.0-alpha", true)]
    [InlineData("<=1.1", "1.1.0", true)]
    [InlineData("<=1.x", "1.1.0", true)]
    [InlineData("<=2.x", "3.0.0", false)]
    [InlineData("<=1.1", "1.1.1", false)]
    [InlineData("<=1.1.x", "1.2.500", false)]
    [InlineData(">1.1, <2", "1.1.1", true)]
    [InlineData(">1.1, <3", "4.3.2", false)]
    [InlineData(">=1.1, <2, !=1.2.3", "1.2.3", false)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "3.1.2", true)]
    [InlineData(">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false)]
    [InlineData("1.1 - 2", "1.1.1", true)]
    [InlineData("1.1-3", "4.3.2", false)]
    [InlineData("^1.1", "1.1.1", true)]
    [InlineData("^1.1", "4.3.2", false)]
    [InlineData("^1.x", "1.1.1", true)]
    [InlineData("^2.x", "1.1.1", false)]
    [InlineData("^1.x", "2.1.1", false)]
    [InlineData("^1.x", "1.1.1-beta1", false)]
    [InlineData("^1.1.2-alpha", "1.2.1-beta1", true)]
    [InlineData("^1.2.x-alpha", "1.1.1-beta1", false)]
    [InlineData("~*", "2.1.1", true)]
    [InlineData("~1", "2.1.1", false)]
    [InlineData("~1", "1.3.5", true)]
    [InlineData("~1", "1.4", true)]
    [InlineData("~1.x", "2.1.1", false)]
    [InlineData("~1.x", "1.3.5", true)]
    [InlineData("~1.x", "1.4", true)]
    [InlineData("~1.1", "1.1.1", true)]
    [InlineData("~1.1", "1.1.1-alpha", false)]
    [InlineData("~1.1-alpha", "1.1.1-beta", true)]
    [InlineData("~1.1.1-beta", "1.1.1-alpha", false)]
    [InlineData("~1.1.1-beta", "1.1.1", true)]
    [InlineData("~1.2.3", "1.2.5", true)]
    [InlineData("~1.2.3", "1.2.2", false)]
    [InlineData("~1.2.3", "1.3.2", false)]
    [InlineData("~1.1", "1.2.3", false)]
    [InlineData("~1.3", "2.4.5", false)]
    [InlineData("=1.2", "1.2.5", false)]
    [InlineData("^0.0.1", "0.3.1", true)]
    [InlineData(">=v1.10.1-0", "v1.11.0-rc.0.100.g1234", true)]
    [InlineData(">=v1.10.1-0, <v2", "v1.11.0-rc.0", false)]
    [InlineData("1.2 - 1.4.5", "1.4.5", true)]
    public void Checks_like_masterminds_v1(string constraint, string version, bool expected)
        => Assert.Equal(expected, VersionConstraint.Parse(constraint, SemverDialect.MastermindsV1)
            .IsSatisfiedBy(Parse(version)));

    [Theory]
    [InlineData(">= bar", "improper constraint: >= bar")]
    [InlineData(">1 <2", "improper constraint: >1 <2")]
    [InlineData("1.2.3, ", "improper constraint:  ")]
    [InlineData("", "improper constraint: ")]
    [InlineData("1.x|2", "constraint Parser Error")]
    public void Rejects_what_v1_rejects(string constraint, string error)
    {
        Assert.False(VersionConstraint.TryParse(constraint, SemverDialect.MastermindsV1, out _, out string actual));
        Assert.Equal(error, actual);
    }

    [Theory]
    [InlineData(">= 1.1")]
    [InlineData("2.0")]
    [InlineData("v2.3.5-20161202202307-sha.e8fc5e5")]
    [InlineData(">= 1.2.3, < 2.0 || => 3.0, < 4")]
    [InlineData("3 - 4 || => 3.0, < 4")]
    public void Accepts_what_v1_accepts(string constraint)
        => Assert.True(VersionConstraint.TryParse(constraint, SemverDialect.MastermindsV1, out var c, out _) && c.Dialect == SemverDialect.MastermindsV1);

    [Fact]
    public void V1_versions_allow_leading_zero_prereleases_but_not_huge_numbers()
    {
        Assert.True(SemanticVersion.TryParse("1.2.3-01", SemverDialect.MastermindsV1, out _, out _));
        Assert.False(SemanticVersion.TryParse("1.2.3-01", SemverDialect.MastermindsV3, out _, out _));
        Assert.False(SemanticVersion.TryParse("9223372036854775808.0.0", SemverDialect.MastermindsV1, out _, out _));
        Assert.True(SemanticVersion.TryParse("9223372036854775808.0.0", SemverDialect.MastermindsV3, out _, out _));
    }

    private static SemanticVersion Parse(string version)
    {
        Assert.True(SemanticVersion.TryParse(version, SemverDialect.MastermindsV1, out var v, out string error), error);
        return v;
    }
}
