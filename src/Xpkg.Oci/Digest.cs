using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace Xpkg.Oci;

/// <summary>A content digest <c>algorithm:encoded</c> as the OCI image spec defines it.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(DigestJsonConverter))]
public readonly partial record struct Digest
{
    public const string Sha256 = "sha256";
    public const string Sha512 = "sha512";

    private Digest(string algorithm, string encoded)
    {
        Algorithm = algorithm;
        Encoded = encoded;
    }

    public string Algorithm { get; }

    /// <summary>The hex part for sha256/sha512.</summary>
    public string Encoded { get; }

    public override string ToString() => Algorithm + ":" + Encoded;

    public static Digest Parse(string value)
        => TryParse(value, out var digest, out var reason)
            ? digest
            : throw new InvalidInputException($"invalid digest \"{value}\": {reason}");

    public static bool TryParse(string? value, out Digest digest) => TryParse(value, out digest, out _);

    public static bool TryParse(string? value, out Digest digest, out string reason)
    {
        digest = default;
        if (string.IsNullOrEmpty(value))
        {
            reason = "empty";
            return false;
        }

        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == value.Length - 1)
        {
            reason = "expected algorithm:encoded";
            return false;
        }

        string algorithm = value[..colon];
        string encoded = value[(colon + 1)..];
        if (!AlgorithmRegex().IsMatch(algorithm) || !EncodedRegex().IsMatch(encoded))
        {
            reason = "does not match the digest grammar";
            return false;
        }

        int? expectedLength = algorithm switch
        {
            Sha256 => 64,
            Sha512 => 128,
            _ => null,
        };
        if (expectedLength is null)
        {
            reason = $"unsupported algorithm \"{algorithm}\" (sha256 and sha512 are supported)";
            return false;
        }

        if (encoded.Length != expectedLength || !IsLowerHex(encoded))
        {
            reason = $"{algorithm} needs {expectedLength} lowercase hex characters";
            return false;
        }

        digest = new Digest(algorithm, encoded);
        reason = string.Empty;
        return true;
    }

    /// <summary>The digest of a byte span, for small content such as manifests and configs.</summary>
    public static Digest Compute(ReadOnlySpan<byte> content, string algorithm = Sha256)
    {
        byte[] hash = algorithm switch
        {
            Sha256 => SHA256.HashData(content),
            Sha512 => SHA512.HashData(content),
            _ => throw new InvalidInputException($"unsupported digest algorithm \"{algorithm}\""),
        };
        return FromHash(algorithm, hash);
    }

    public static Digest FromHash(string algorithm, ReadOnlySpan<byte> hash)
        => new(algorithm, Convert.ToHexStringLower(hash));

    public HashAlgorithmName HashAlgorithm() => Algorithm switch
    {
        Sha512 => HashAlgorithmName.SHA512,
        _ => HashAlgorithmName.SHA256,
    };

    private static bool IsLowerHex(string s)
    {
        foreach (char c in s)
        {
            if (c is not ((>= '0' and <= '9') or (>= 'a' and <= 'f')))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex("^[a-z0-9]+(?:[+._-][a-z0-9]+)*$")]
    private static partial Regex AlgorithmRegex();

    [GeneratedRegex("^[a-zA-Z0-9=_-]+$")]
    private static partial Regex EncodedRegex();
}
