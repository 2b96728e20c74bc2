using System.Buffers;
using System.IO.Compression;
using System.Security.Cryptography;

namespace Xpkg.Oci.Archives;

/// <summary>Hashing of layers, compressed and uncompressed, with a bound on decompression (gzip bombs).</summary>
public static class LayerDigests
{
    private const int BufferSize = 1 << 20;

    /// <summary>A layer may expand to this many bytes beyond its compressed size times the ratio below.</summary>
    public const long ExpansionAllowance = 64L << 20;

    /// <summary>Real layers stay well below this ratio; bombs go far beyond it. XPKG_MAX_EXPANSION_RATIO overrides it.</summary>
    public static int MaxExpansionRatio { get; } =
        int.TryParse(Environment.GetEnvironmentVariable("XPKG_MAX_EXPANSION_RATIO"), out int r) && r > 0 ? r : 100;

    public static Compression DetectCompression(ReadOnlySpan<byte> magic)
    {
        if (magic.Length >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            return Compression.Gzip;
        }

        return magic.Length >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd
            ? Compression.Zstd
            : Compression.None;
    }

    public static Digest Compute(Stream content, string algorithm = Digest.Sha256)
        => Hash(content, algorithm, long.MaxValue, "content");

    /// <summary>The diff_id: the digest of the uncompressed tar, refusing to expand beyond the bound.</summary>
    public static Digest ComputeUncompressed(Stream compressed, Compression compression, long compressedSize, string algorithm, string what)
    {
        using Stream decompressed = Decompress(compressed, compression);
        long limit = ExpansionAllowance + (compressedSize * MaxExpansionRatio);
        return Hash(decompressed, algorithm, limit, what);
    }

    public static Stream Decompress(Stream compressed, Compression compression) => compression switch
    {
        Compression.Gzip => new GZipStream(compressed, CompressionMode.Decompress, leaveOpen: false),
        Compression.Zstd => new ZstdSharp.DecompressionStream(compressed, leaveOpen: false),
        _ => compressed,
    };

    /// <summary>Copies at most <paramref name="limit"/> bytes, refusing content that expands beyond it.</summary>
    public static void CopyBounded(Stream input, Stream output, long limit, string what)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int n;
            while ((n = ReadChecked(input, buffer, what)) > 0)
            {
                total += n;
                if (total > limit)
                {
                    throw Bomb(what, limit);
                }

                output.Write(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static InvalidInputException Bomb(string what, long limit)
        => new($"{what} expands beyond {limit} bytes (over {MaxExpansionRatio}x its compressed size): refusing a possible decompression bomb",
            "if the content is genuine, raise XPKG_MAX_EXPANSION_RATIO");

    private static Digest Hash(Stream content, string algorithm, long limit, string what)
    {
        using var hash = IncrementalHash.CreateHash(algorithm == Digest.Sha512 ? HashAlgorithmName.SHA512 : HashAlgorithmName.SHA256);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            long total = 0;
            int n;
            while ((n = ReadChecked(content, buffer, what)) > 0)
            {
                total += n;
                if (total > limit)
                {
                    throw Bomb(what, limit);
                }

                hash.AppendData(buffer, 0, n);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return Digest.FromHash(algorithm, hash.GetHashAndReset());
    }

    private static int ReadChecked(Stream s, byte[] buffer, string what)
    {
        try
        {
            return s.Read(buffer, 0, BufferSize);
        }
        catch (Exception e) when (e is InvalidDataException or ZstdSharp.ZstdException)
        {
            throw new InvalidInputException($"{what} is not valid compressed data: {e.Message}");
        }
    }
}
