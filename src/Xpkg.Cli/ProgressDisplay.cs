using System.Collections.Concurrent;
using Spectre.Console;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Cli;

/// <summary>
/// Per-layer progress bars (bytes, rate, time left) on stderr while content moves. Shown only on a terminal
/// and not with JSON output, so scripts and logs see nothing of it; blobs under 1 MiB get no bar.
/// </summary>
internal sealed class ProgressDisplay(ProgressContext progress) : ICopyObserver
{
    private const long MinimumBytes = 1L << 20;
    private readonly ConcurrentDictionary<Digest, ProgressTask> _tasks = new();

    // Spectre.Console is loaded (and its types initialised) only on a terminal: scripts do not pay for it.
    public static Task<T> RunAsync<T>(CliContext ctx, Func<ICopyObserver, Task<T>> work)
        => ctx.Json || Console.IsErrorRedirected ? work(ICopyObserver.None) : ShowAsync(work);

    private static async Task<T> ShowAsync<T>(Func<ICopyObserver, Task<T>> work)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        T result = default!;
        await console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async p => result = await work(new ProgressDisplay(p)).ConfigureAwait(false)).ConfigureAwait(false);
        return result;
    }

    public void BlobStarted(Descriptor descriptor)
    {
        if (descriptor.Size >= MinimumBytes)
        {
            _tasks.TryAdd(descriptor.Digest, progress.AddTask(Humanize.ShortDigest(descriptor.Digest), maxValue: descriptor.Size));
        }
    }

    public void BytesMoved(Descriptor descriptor, long bytes)
    {
        if (_tasks.TryGetValue(descriptor.Digest, out var task))
        {
            task.Increment(bytes);
        }
    }

    public void BlobCompleted(Descriptor descriptor)
    {
        if (_tasks.TryGetValue(descriptor.Digest, out var task))
        {
            task.Value = task.MaxValue;
            task.StopTask();
        }
    }
}
