using Xpkg.Oci;
using Xpkg.Packages;

namespace Xpkg.Packages.Tests;

public class PackageNamesTests
{
    private const string LongName = "provider-aws-plusabunchofothernonsensethatisgoingtogetslicedoff";

    [Theory]
    [InlineData("provider-aws", "1234567", "provider-aws-1234567")]
    [InlineData(LongName, "1234567", "provider-aws-plusabunchofothernonsensethatisgoingt-1234567")]
    [InlineData("provider-aws", "1234567891234567", "provider-aws-123456789123")]
    [InlineData(LongName, "1234567891234567", "provider-aws-plusabunchofothernonsensethatisgoingt-123456789123")]
    [InlineData("provider.aws-plusabunchofothernonsensethatisgoingtogetslicedoff", "1234.567891234567", "provider-aws-plusabunchofothernonsensethatisgoingt-1234-5678912")]
    [InlineData("provider-in-cluster", "provider-in-cluster", "provider-in-cluster-provider-in")]
    [InlineData("xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform", "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", "xpkg-crossplane-io-crossplane-contrib-function-pat-sha256-01234")]
    [InlineData("function-patch-and-transform", "0123456789abcdef0123456789abcdef", "function-patch-and-transform-0123456789ab")]
    [InlineData("my-pkg", "xpkg.crossplane.io/crossplane-contrib/provider-aws-s3:v1.0.0", "my-pkg-xpkg-crosspl")]
    [InlineData("function-conditional-patch-and-transform", "9b3ddecdb8ffacdbaa1e552f6fb2fc9e5b48943e3e4dd1afb5b212b25abd721d", "function-conditional-patch-and-transform-9b3ddecdb8ff")]
    public void FriendlyId_matches_crossplane(string name, string hash, string expected)
        => Assert.Equal(expected, PackageNames.FriendlyId(name, hash));

    [Theory]
    [InlineData("-hi/my.name/is-", "hi-my-name-is")]
    [InlineData("crossplane-contrib/function-auto-ready", "crossplane-contrib-function-auto-ready")]
    [InlineData("Provider-AWS", "rovider")]
    [InlineData("a//b", "a--b")]
    [InlineData("a_b", "ab")]
    [InlineData("", "")]
    [InlineData("é-a", "a")]
    public void ToDnsLabel_matches_crossplane(string input, string expected)
        => Assert.Equal(expected, PackageNames.ToDnsLabel(input));

    [Fact]
    public void ToDnsLabel_looks_at_63_characters_at_most()
    {
        Assert.Equal(new string('a', 63), PackageNames.ToDnsLabel(new string('a', 64)));
        Assert.Equal(new string('a', 60), PackageNames.ToDnsLabel(new string('a', 60) + "----"));
    }

    [Fact]
    public void ToDnsLabel_counts_positions_in_utf8_bytes()
    {
        // "é" is two bytes, so the separator at character 61 sits at byte 62, where no dash is written.
        string input = "é" + new string('a', 60) + "/b";
        Assert.Equal(new string('a', 60), PackageNames.ToDnsLabel(input));
    }

    [Theory]
    [InlineData("docker.io/hasheddan/xpkg-test:v0.1.0", "docker.io/hasheddan/xpkg-test")]
    [InlineData("index.docker.io/hasheddan/xpkg-test:v0.1.0", "index.docker.io/hasheddan/xpkg-test")]
    [InlineData("hasheddan/xpkg-test:v0.1.0", "hasheddan/xpkg-test")]
    [InlineData("hasheddan/xpkg-test@sha256:ecc25c121431dfc7058754427f97c034ecde26d4aafa0da16d258090e0443904", "hasheddan/xpkg-test")]
    [InlineData("xpkg.crossplane.io/crossplane-contrib/provider-nop", "xpkg.crossplane.io/crossplane-contrib/provider-nop")]
    [InlineData("localhost:5000/fn:v1@sha256:ecc25c121431dfc7058754427f97c034ecde26d4aafa0da16d258090e0443904", "localhost:5000/fn:v1")]
    public void PackageSource_strips_only_the_identifier(string reference, string expected)
    {
        Assert.Equal(expected, PackageNames.PackageSource(reference));
        Assert.Equal(expected, PackageNames.PackageSource(ImageReference.Parse(reference)));
    }

    [Theory]
    [InlineData("path/to/somewhere", "test", ".xpkg", "path/to/somewhere/test.xpkg")]
    [InlineData("path/to/somewhere", "test.tar", ".xpkg", "path/to/somewhere/test.xpkg")]
    [InlineData("path/to/somewhere.tar", "", ".xpkg", "path/to/somewhere.xpkg")]
    public void BuildPath_replaces_the_extension(string dir, string name, string ext, string expected)
        => Assert.Equal(expected, PackageNames.BuildPath(dir, name, ext));

    [Theory]
    [InlineData("file.doc", ".txt", "file.txt")]
    [InlineData("file.doc", "", "file")]
    [InlineData("file", ".txt", "file.txt")]
    [InlineData("archive.tar.gz", ".zip", "archive.tar.zip")]
    [InlineData(".hiddenfile.conf", ".bak", ".hiddenfile.bak")]
    public void ReplaceExtension_matches_crossplane(string path, string ext, string expected)
        => Assert.Equal(expected, PackageNames.ReplaceExtension(path, ext));
}
