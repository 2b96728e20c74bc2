using Spectre.Console;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Cli;

/// <summary>
/// A progress bar on stderr for transfers on a terminal. Silent when stderr is redirected or the output is
/// JSON, so scripts and logs see nothing of it; Spectre.Console is only loaded when a bar is shown.
/// </summary>
internal sealed class ProgressDisplay : ICopyObserver, IDisposable
{
    private const long MinimumBytes = 4L << 20;
    private readonly string _label;
    private readonly Lock _gate = new();
    private readonly Dictionary<Digest, (long Done, long Total)> _blobs = [];
    private readonly Timer _timer;
    private readonly IAnsiConsole _console;
    private readonly DateTime _started = DateTime.UtcNow;

    private ProgressDisplay(string label)
    {
        _label = label;
        _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        _timer = new Timer(_ => Render(), null, 200, 200);
    }

    public static ICopyObserver ForTerminal(CliContext ctx, string label)
        => ctx.Json || Console.IsErrorRedirected ? ICopyObserver.None : new ProgressDisplay(label);

    public void BlobStarted(Descriptor descriptor)
    {
        lock (_gate)
        {
            _blobs[descriptor.Digest] = (0, descriptor.Size);
        }
    }

    public void BytesMoved(Descriptor descriptor, long bytes)
    {
        lock (_gate)
        {
            if (_blobs.TryGetValue(descriptor.Digest, out var b))
            {
                _blobs[descriptor.Digest] = (b.Done + bytes, b.Total);
            }
        }
    }

    private void Render()
    {
        long done;
        long total;
        int active;
        lock (_gate)
        {
            done = _blobs.Values.Sum(b => b.Done);
            total = _blobs.Values.Sum(b => b.Total);
            active = _blobs.Values.Count(b => b.Done < b.Total);
        }

        if (total < MinimumBytes)
        {
            return;
        }

        double seconds = Math.Max(0.001, (DateTime.UtcNow - _started).TotalSeconds);
        int width = 30;
        int filled = total == 0 ? width : (int)(width * done / total);
        string bar = new string('#', filled) + new string('-', width - filled);
        _console.Write(new Text($"\r{_label} [{bar}] {Humanize.Bytes(done)}/{Humanize.Bytes(total)} {Humanize.Bytes((long)(done / seconds))}/s, {active} layer(s) active   "));
    }

    public void Dispose()
    {
        _timer.Dispose();
        Render();
        lock (_gate)
        {
            if (_blobs.Values.Sum(b => b.Total) >= MinimumBytes)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
