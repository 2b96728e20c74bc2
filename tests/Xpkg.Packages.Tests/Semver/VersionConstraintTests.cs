using Xpkg.Packages.Semver;

namespace Xpkg.Packages.Tests.Semver;

public class VersionConstraintTests
{
    // Cases from Masterminds/semver v3.4.0's own constraint tests, plus Crossplane-flavoured ones.
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
    [InlineData("!=4.1-alpha", "4.1.1-alpha", false)]
    [InlineData("!=4.1-alpha", "4.1.0", true)]
    [InlineData("!=4.1", "5.1.0", true)]
    [InlineData("!=4.x", "5.1.0", true)]
    [InlineData("!=4.x", "4.1.0", false)]
    [InlineData("!=4.1.x", "4.2.0", true)]
    [InlineData("!=4.2.x", "4.2.3", false)]
    [InlineData(">1.1", "4.1.0", true)]
    [InlineData(">1.1", "1.1.0", false)]
    [InlineData(">11", "11.1.0", false)]
    [InlineData(">11", "12.0.0", true)]
    [InlineData("<1.1", "0.1.0", true)]
    [InlineData("<1.1", "1.1.0", false)]
    [InlineData("<1.1", "1.1.1", false)]
    [InlineData("<1.x", "1.1.1", false)]
    [InlineData("<1.x", "0.1.1", true)]
    [InlineData("<1.x", "2.0.0", false)]
    [InlineData("<1.1.x", "1.2.1", false)]
    [InlineData("<1.1.x", "1.1.500", false)]
    [InlineData("<1.1.x", "1.0.500", true)]
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
    [InlineData("<=1.1", "1.1.1", true)]
    [InlineData("<=1.1.x", "1.2.500", false)]
    [InlineData("<=4.5", "3.4.0", true)]
    [InlineData("<=4.5", "3.7.0", true)]
    [InlineData("<=4.5", "4.6.3", false)]
    [InlineData(">1.1, <2", "1.1.1", false)]
    [InlineData(">1.1, <2", "1.2.1", true)]
    [InlineData(">1.1, <3", "4.3.2", false)]
    [InlineData(">=1.1, <2, !=1.2.3", "1.2.3", false)]
    [InlineData(">1.1 <2", "1.1.1", false)]
    [InlineData(">1.1 <2", "1.2.1", true)]
    [InlineData(">1.1    <3", "4.3.2", false)]
    [InlineData(">=1.1    <2    !=1.2.3", "1.2.3", false)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "4.1.2", true)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "3.1.2", false)]
    [InlineData(">=1.1, <2, !=1.2.3 || >= 3", "3.0.0", true)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "3.0.0", false)]
    [InlineData(">=1.1, <2, !=1.2.3 || > 3", "1.2.3", false)]
    [InlineData(">= 1.1 <2 != 1.2.3 || > 3", "4.1.2", true)]
    [InlineData("> 1.1, <     2", "1.1.1", false)]
    [InlineData(">   1.1, <2", "1.2.1", true)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta", "1.0.1-beta", true)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta", "1.0.1", true)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta", "3.0.0", false)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta || > 3", "1.0.1-beta", true)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta || > 3", "3.0.1-beta", false)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta != 1.0.1 || > 3", "1.0.1-beta", true)]
    [InlineData(">= 1.0.0  <= 2.0.0-beta != 1.0.1-beta || > 3", "1.0.1-beta", false)]
    [InlineData(">= 1.0.0-0  <= 2.0.0", "1.0.1-beta", true)]
    [InlineData("1.1 - 2", "1.1.1", true)]
    [InlineData("1.5.0 - 4.5", "3.7.0", true)]
    [InlineData("1.2 - 1.4.5", "1.4.6", false)]
    [InlineData("1.1-3", "4.3.2", false)]
    [InlineData("^1.1", "1.1.1", true)]
    [InlineData("^1.1", "4.3.2", false)]
    [InlineData("^1.x", "1.1.1", true)]
    [InlineData("^2.x", "1.1.1", false)]
    [InlineData("^1.x", "2.1.1", false)]
    [InlineData("^1.x", "1.1.1-beta1", false)]
    [InlineData("^1.1.2-alpha", "1.2.1-beta1", true)]
    [InlineData("^1.2.x-alpha", "1.1.1-beta1", false)]
    [InlineData("^0.0.1", "0.0.1", true)]
    [InlineData("^0.0.1", "0.3.1", false)]
    [InlineData("^0.2.3", "0.2.9", true)]
    [InlineData("^0.2.3", "0.3.0", false)]
    [InlineData("^0.0.3", "0.0.4", false)]
    [InlineData("^0.0", "0.0.9", true)]
    [InlineData("^0.0", "0.1.0", false)]
    [InlineData("^0", "0.9.9", true)]
    [InlineData("^0", "1.0.0", false)]
    [InlineData("~*", "2.1.1", true)]
    [InlineData("~1", "2.1.1", false)]
    [InlineData("~1", "1.3.5", true)]
    [InlineData("~1", "1.4", true)]
    [InlineData("~1.x", "2.1.1", false)]
    [InlineData("~1.x", "1.3.5", true)]
    [InlineData("~1.1", "1.1.1", true)]
    [InlineData("~1.1", "1.1.1-alpha", false)]
    [InlineData("~1.1-alpha", "1.1.1-beta", true)]
    [InlineData("~1.1.1-beta", "1.1.1-alpha", false)]
    [InlineData("~1.1.1-beta", "1.1.1", true)]
    [InlineData("~1.2.3", "1.2.5", true)]
    [InlineData("~1.2.3", "1.2.2", false)]
    [InlineData("~1.2.3", "1.3.2", false)]
    [InlineData("~>1.2.3", "1.2.9", true)]
    [InlineData("~1.3", "2.4.5", false)]
    [InlineData("1.0.0 - 2.0.0 <=2.0.0", "1.5.0", true)]
    [InlineData("1.0.0 - 2.0.0, <=2.0.0", "1.5.0", true)]
    [InlineData("=v0.3.1", "v0.3.1", true)]
    [InlineData(">=v1.10.1-0", "v1.11.0-rc.0.100.g1234", true)]
    [InlineData(">=v1.10.1", "v1.11.0-rc.0.100.g1234", false)]
    [InlineData(">=v0.0.2", "v0.0.3", true)]
    [InlineData("v1.2.3+meta", "1.2.3", true)]
    [InlineData("=>1.2", "1.2.0", true)]
    [InlineData("=<1.2", "1.2.0", true)]
    [InlineData("1.2.3\n", "1.2.3", true)]
    public void Checks_like_masterminds(string constraint, string version, bool expected)
        => Assert.Equal(expected, VersionConstraint.Parse(constraint).IsSatisfiedBy(SemanticVersion.Parse(version)));

    [Theory]
    [InlineData("", "improper constraint: ")]
    [InlineData("foo", "improper constraint: foo")]
    [InlineData(">>1.2.3", "improper constraint: >>1.2.3")]
    [InlineData("1.2.3 || foo", "improper constraint:  foo")]
    [InlineData("1.2.3, ", "improper constraint: 1.2.3, ")]
    [InlineData("~>", "improper constraint: ~>")]
    [InlineData("1.2.3 ||", "improper constraint: ")]
    [InlineData("1.x|2", "constraint parser error")]
    public void Rejects_improper_constraints(string constraint, string error)
    {
        Assert.False(VersionConstraint.TryParse(constraint, out _, out string actual));
        Assert.Equal(error, actual);
    }

    [Fact]
    public void IncludePrerelease_lets_prereleases_satisfy_every_group()
    {
        var c = VersionConstraint.Parse(">=1.0.0");
        Assert.False(c.IsSatisfiedBy(SemanticVersion.Parse("1.1.0-rc.1")));
        Assert.True(c.IncludingPrereleases().IsSatisfiedBy(SemanticVersion.Parse("1.1.0-rc.1")));
        Assert.False(c.IncludingPrereleases().IsSatisfiedBy(SemanticVersion.Parse("0.9.0-rc.1")));
    }

    [Theory]
    [InlineData(">= 1.1, <2 || >3", ">=1.1 <2 || >3")]
    [InlineData("1.2 - 1.4.5", ">=1.2 <=1.4.5")]
    [InlineData("^v1.x", "^v1.x")]
    public void ToString_is_normalised(string constraint, string expected)
        => Assert.Equal(expected, VersionConstraint.Parse(constraint).ToString());

    [Theory]
    [InlineData(20000, "1")]
    [InlineData(20000, "1.2.3-a")]
    [InlineData(5000, ">= 1.2.3 - ")]
    [InlineData(5000, "1.x || ")]
    public void Pathological_input_is_handled_quickly(int repeat, string unit)
    {
        string constraint = string.Concat(Enumerable.Repeat(unit, repeat)) + "!";
        var sw = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(VersionConstraint.TryParse(constraint, out _, out string error));
        Assert.StartsWith("improper constraint: ", error, StringComparison.Ordinal);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");
    }
}
