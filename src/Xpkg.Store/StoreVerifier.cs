using System.Collections.Concurrent;
using System.Security.Cryptography;
using Xpkg.Oci;

namespace Xpkg.Store;

public sealed record VerifyResult(int Blobs, IReadOnlyList<string> Corrupt, IReadOnlyList<string> MissingRoots);

/// <summary>Re-hashes every blob; a blob whose name is not its digest is corrupt.</summary>
public sealed class StoreVerifier(ContentStore store)
{
    public async Task<VerifyResult> VerifyAsync(CancellationToken cancellationToken)
    {
        var files = Directory.EnumerateDirectories(Path.Combine(store.Root, "blobs"))
            .SelectMany(dir => Directory.EnumerateFiles(dir).Select(f => (Algorithm: Path.GetFileName(dir), Path: f)))
            .ToList();
        var corrupt = new ConcurrentBag<string>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, Environment.ProcessorCount), CancellationToken = cancellationToken },
            async (file, ct) =>
            {
                string name = file.Algorithm + ":" + Path.GetFileName(file.Path);
                if (!Digest.TryParse(name, out var expected) || !await MatchesAsync(file.Path, expected, ct).ConfigureAwait(false))
                {
                    corrupt.Add(name);
                }
            }).ConfigureAwait(false);

        var missing = new List<string>();
        foreach (var entry in await store.References.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!store.Contains(entry.Root))
            {
                missing.Add(entry.DisplayName);
            }
        }

        return new VerifyResult(files.Count, corrupt.Order(StringComparer.Ordinal).ToList(), missing);
    }

    private static async Task<bool> MatchesAsync(string path, Digest expected, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(expected.HashAlgorithm());
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            byte[] buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(ContentStore.BufferSize);
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer.AsMemory(0, ContentStore.BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    hash.AppendData(buffer, 0, n);
                }
            }
            finally
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        return Digest.FromHash(expected.Algorithm, hash.GetHashAndReset()) == expected;
    }
}
