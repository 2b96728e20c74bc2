using System.Text;
using Xpkg.Oci;

namespace Xpkg.Tests.Oci;

public class DigestTests
{
    private static readonly byte[] Hello = Encoding.ASCII.GetBytes("hello world");
    private const string HelloSha256 = "sha256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

    [Fact]
    public void ComputesSha256AndSha512()
    {
        Assert.Equal(HelloSha256, Digest.Compute(Hello).ToString());
        var sha512 = Digest.Compute(Hello, Digest.Sha512);
        Assert.Equal(128, sha512.Encoded.Length);
        Assert.Equal(sha512, Digest.Parse(sha512.ToString()));
    }

    [Theory]
    [InlineData("sha256:B94D27B9934D3E08A52E52D7DA7DABFAC484EFE37A5380EE9088F7ACE2EFCDE9")]
    [InlineData("sha256:b94d27")]
    [InlineData("sha512:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")]
    [InlineData("b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")]
    [InlineData("sha256:")]
    [InlineData("SHA256:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")]
    [InlineData("blake3:b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9")]
    public void RejectsInvalidDigests(string text)
    {
        Assert.False(Digest.TryParse(text, out _));
        Assert.Throws<InvalidInputException>(() => Digest.Parse(text));
    }

    [Fact]
    public void VerifyingStreamPassesMatchingContent()
    {
        using var s = new VerifyingStream(new MemoryStream(Hello), Digest.Parse(HelloSha256), Hello.Length);
        using var copy = new MemoryStream();
        s.CopyTo(copy);
        Assert.Equal(Hello, copy.ToArray());
    }

    [Fact]
    public void VerifyingStreamRejectsWrongContent()
    {
        var other = Encoding.ASCII.GetBytes("hello World");
        using var s = new VerifyingStream(new MemoryStream(other), Digest.Parse(HelloSha256), other.Length);
        var e = Assert.Throws<DigestMismatchException>(() => s.CopyTo(Stream.Null));
        Assert.Contains("digest mismatch", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyingStreamRejectsTruncatedAndOverlongContent()
    {
        using (var s = new VerifyingStream(new MemoryStream(Hello[..5]), Digest.Parse(HelloSha256), Hello.Length))
        {
            Assert.Contains("truncated", Assert.Throws<DigestMismatchException>(() => s.CopyTo(Stream.Null)).Message, StringComparison.Ordinal);
        }

        using (var s = new VerifyingStream(new MemoryStream([.. Hello, .. Hello]), Digest.Parse(HelloSha256), Hello.Length))
        {
            Assert.Contains("longer", Assert.Throws<DigestMismatchException>(() => s.CopyTo(Stream.Null)).Message, StringComparison.Ordinal);
        }
    }
}
