using Xpkg.Oci;

namespace Xpkg.Store;

/// <summary>
/// A cross-process exclusive lock on a file. On Unix .NET takes an advisory <c>flock</c> for
/// <see cref="FileShare.None"/>, so two xpkg processes serialise here; the lock dies with the process.
/// </summary>
public sealed class FileLock : IDisposable
{
    private readonly FileStream _stream;

    private FileLock(FileStream stream) => _stream = stream;

    public static async Task<FileLock> AcquireAsync(string path, TimeSpan timeout, CancellationToken cancellationToken, string? hint = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        int delayMs = 2;
        while (true)
        {
            if (TryAcquire(path) is { } held)
            {
                return held;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new XpkgException($"timed out after {timeout.TotalSeconds:0}s waiting for the lock {path}",
                    hint ?? "another xpkg process is holding the cache; wait for it to finish");
            }

            await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
            delayMs = Math.Min(delayMs * 2, 100);
        }
    }

    /// <summary>Takes the lock if no live process holds it; null otherwise.</summary>
    public static FileLock? TryAcquire(string path, FileMode mode = FileMode.OpenOrCreate)
    {
        try
        {
            return new FileLock(new FileStream(path, mode, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None));
        }
        catch (IOException) when (File.Exists(path))
        {
            return null;
        }
    }

    public void Dispose() => _stream.Dispose();
}
