using Xpkg.Oci;

namespace Xpkg.Tests.Oci;

public class ImageReferenceTests
{
    [Theory]
    [InlineData("alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine")]
    [InlineData("alpine:3.20", "docker.io/library/alpine:3.20", "docker.io", "library/alpine")]
    [InlineData("library/alpine", "docker.io/library/alpine:latest", "docker.io", "library/alpine")]
    [InlineData("index.docker.io/crossplane/crossplane:v1", "docker.io/crossplane/crossplane:v1", "docker.io", "crossplane/crossplane")]
    [InlineData("xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.8.2", "xpkg.crossplane.io/crossplane-contrib/function-patch-and-transform:v0.8.2", "xpkg.crossplane.io", "crossplane-contrib/function-patch-and-transform")]
    [InlineData("localhost/foo", "localhost/foo:latest", "localhost", "foo")]
    [InlineData("localhost:5000/a/b/c:t", "localhost:5000/a/b/c:t", "localhost:5000", "a/b/c")]
    [InlineData("127.0.0.1:5000/test/tiny", "127.0.0.1:5000/test/tiny:latest", "127.0.0.1:5000", "test/tiny")]
    [InlineData("[::1]:5000/test/tiny:v1", "[::1]:5000/test/tiny:v1", "[::1]:5000", "test/tiny")]
    [InlineData("foo:5000", "docker.io/library/foo:5000", "docker.io", "library/foo")]
    [InlineData("My.Registry/x", "My.Registry/x:latest", "My.Registry", "x")]
    [InlineData("a/b__c/d-e--f/g.h", "docker.io/a/b__c/d-e--f/g.h:latest", "docker.io", "a/b__c/d-e--f/g.h")]
    public void NormalisesLikeDocker(string input, string canonical, string registry, string repository)
    {
        var r = ImageReference.Parse(input);
        Assert.Equal(canonical, r.ToString());
        Assert.Equal(registry, r.Registry);
        Assert.Equal(repository, r.Repository);
        Assert.Equal(input, r.Original);
    }

    [Fact]
    public void KeepsTagAndDigest()
    {
        string d = "sha256:" + new string('a', 64);
        var r = ImageReference.Parse("ghcr.io/org/img:v1@" + d);
        Assert.Equal("v1", r.Tag);
        Assert.Equal(d, r.Digest.ToString());
        Assert.Equal(d, r.Identifier);
        Assert.Equal("ghcr.io/org/img:v1@" + d, r.ToString());

        var digestOnly = ImageReference.Parse("img@" + d);
        Assert.Null(digestOnly.Tag);
        Assert.Equal("docker.io/library/img@" + d, digestOnly.ToString());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("Alpine", "lowercase")]
    [InlineData("docker.io/Library/alpine", "lowercase")]
    [InlineData("alpine:", "not a valid reference")]
    [InlineData("alpine@sha256:abc", "")]
    [InlineData("alpine@md5:0123456789abcdef0123456789abcdef", "unsupported algorithm")]
    [InlineData("a//b", "not a valid reference")]
    [InlineData("-a/b", "not a valid reference")]
    [InlineData("alpine:-tag", "not a valid reference")]
    public void RejectsInvalid(string input, string reason)
    {
        Assert.False(ImageReference.TryParse(input, out _, out var why));
        Assert.Contains(reason, why, StringComparison.Ordinal);
        var e = Assert.Throws<InvalidInputException>(() => ImageReference.Parse(input));
        Assert.Equal(2, e.ExitCode);
    }

    [Fact]
    public void RejectsOverlongNames()
    {
        string name = "example.com/" + string.Join('/', Enumerable.Repeat("abcdefghij", 25));
        Assert.False(ImageReference.TryParse(name, out _, out var why));
        Assert.Contains("255", why, StringComparison.Ordinal);
    }

    [Fact]
    public void TagLengthIsBounded()
    {
        Assert.True(ImageReference.TryParse("a:" + new string('t', 128), out _, out _));
        Assert.False(ImageReference.TryParse("a:" + new string('t', 129), out _, out _));
    }
}
