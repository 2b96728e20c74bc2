using Xpkg.Install.Events;
using Xpkg.Store;

namespace Xpkg.Install.State;

/// <summary>
/// The exclusive lock of a state directory: an advisory <c>flock</c> on <c>.install.lock</c> inside it, held
/// from reading the previous state to writing the events, so concurrent installs run one after the other.
/// The lock dies with its process; the (empty) file stays, so two waiters can never lock different files.
/// </summary>
public static class StateLock
{
    public const string FileName = ".install.lock";

    /// <summary>Long enough for an install that downloads, bounded so a stuck peer is reported.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public static async Task<FileLock> AcquireAsync(string stateDirectory, InstallLog log, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(stateDirectory);
        string path = Path.Combine(stateDirectory, FileName);
        if (FileLock.TryAcquire(path) is { } free)
        {
            return free;
        }

        log.Add("state", "lock", $"another xpkg install holds {path}; waiting for it to finish");
        return await FileLock.AcquireAsync(path, Timeout, cancellationToken,
            $"another xpkg install is writing {stateDirectory}; wait for it, or use another --state-dir").ConfigureAwait(false);
    }
}
