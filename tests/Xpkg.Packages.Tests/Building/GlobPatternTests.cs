using Xpkg.Oci;
using Xpkg.Packages.Building;

namespace Xpkg.Packages.Tests.Building;

public class GlobPatternTests
{
    [Theory]
    [InlineData("/r/*.yaml", "/r/a.yaml", true)]
    [InlineData("/r/*.yaml", "/r/sub/a.yaml", false)]
    [InlineData("/r/?.yaml", "/r/ab.yaml", false)]
    [InlineData("/r/[a-c]*.yaml", "/r/b1.yaml", true)]
    [InlineData("/r/[^a-c]*.yaml", "/r/b1.yaml", false)]
    [InlineData("/r/[^a-c]*.yaml", "/r/z.yaml", true)]
    [InlineData("/r/\\*.yaml", "/r/*.yaml", true)]
    [InlineData("/r/\\*.yaml", "/r/a.yaml", false)]
    [InlineData("/r/a.yaml", "/r/a.yaml", true)]
    [InlineData("/r/a.yaml", "/r/a.yaml.bak", false)]
    [InlineData("/r/a?yaml", "/r/a/yaml", false)]
    public void Matches_like_go_filepath_match(string pattern, string path, bool expected)
        => Assert.Equal(expected, GlobPattern.Parse(pattern).IsMatch(path));

    [Fact]
    public void Unterminated_class_is_bad_input()
        => Assert.Throws<InvalidInputException>(() => GlobPattern.Parse("/r/[ab"));
}
