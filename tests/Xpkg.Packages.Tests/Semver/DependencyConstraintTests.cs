using Xpkg.Oci;
using Xpkg.Packages.Semver;

namespace Xpkg.Packages.Tests.Semver;

public class DependencyConstraintTests
{
    private const string DigestText = "sha256:ecc25c121431dfc7058754427f97c034ecde26d4aafa0da16d258090e0443904";

    [Fact]
    public void Digests_pin_exactly()
    {
        var c = DependencyConstraint.Parse(DigestText);
        Assert.NotNull(c.Digest);
        Assert.Null(c.Constraint);
        Assert.True(c.IsSatisfiedBy(DigestText));
        Assert.False(c.IsSatisfiedBy("v0.2.0"));
        Assert.Null(c.SelectHighest(["v0.2.0"]));
    }

    [Theory]
    [InlineData(">=v0.0.1", "v0.0.3", true)]
    [InlineData("=v0.3.0", "v0.3.0", true)]
    [InlineData("=v0.3.0", "v0.3.1", false)]
    [InlineData(">=v0.0.1", "latest", false)]
    [InlineData(">=v0.0.1", DigestText, false)]
    public void Semver_constraints_check_the_installed_tag(string constraint, string installed, bool expected)
        => Assert.Equal(expected, DependencyConstraint.Parse(constraint).IsSatisfiedBy(installed));

    [Fact]
    public void Highest_complete_satisfying_tag_is_chosen()
    {
        string[] tags = ["latest", "v0.1.0", "v0.3.0", "v1", "v0.2.0", "v0.4.0-rc.1", "main"];
        Assert.Equal("v0.3.0", DependencyConstraint.Parse(">=v0.1.0").SelectHighest(tags));
        Assert.Equal("v0.4.0-rc.1", DependencyConstraint.Parse(">=v0.1.0-0").SelectHighest(tags));
        Assert.Null(DependencyConstraint.Parse(">=v2.0.0").SelectHighest(tags));
        Assert.Equal("v0.3.0", DependencyConstraint.Parse(">=v0.1.0 <v1.0.0").SelectHighest(tags.Append("v1.0.0")));
    }

    [Fact]
    public void Filter_and_sort_keeps_originals_in_ascending_order()
    {
        var sorted = SemanticVersion.FilterAndSort(["v0.10.0", "latest", "0.9.0", "v0.9.1-rc.1", "v1"]);
        Assert.Equal(["0.9.0", "v0.9.1-rc.1", "v0.10.0", "v1"], sorted.Select(v => v.Original));
        Assert.Equal([true, true, true, false], sorted.Select(v => v.IsComplete));
    }

    [Fact]
    public void Invalid_constraint_is_bad_input()
    {
        var e = Assert.Throws<InvalidInputException>(() => DependencyConstraint.Parse("not a version"));
        Assert.Equal("invalid dependency version \"not a version\": improper constraint: not a version", e.Message);
    }

    [Fact]
    public void Dialect_is_carried_through()
    {
        Assert.True(DependencyConstraint.TryParse("^0.1.0", SemverDialect.MastermindsV1, out var v1, out _));
        Assert.True(v1.IsSatisfiedBy("v0.9.0"));
        Assert.False(DependencyConstraint.Parse("^0.1.0").IsSatisfiedBy("v0.9.0"));
    }
}
