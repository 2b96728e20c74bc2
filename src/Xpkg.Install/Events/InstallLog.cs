namespace Xpkg.Install.Events;

/// <summary>
/// The decisions of one install, in order. <c>--explain</c> prints them, the state directory keeps them as
/// <c>events.log</c>, and tests assert on them.
/// </summary>
public sealed class InstallLog
{
    private readonly List<InstallEvent> _events = [];
    private readonly Lock _lock = new();
    private readonly Action<InstallEvent>? _listener;

    public InstallLog(Action<InstallEvent>? listener = null)
    {
        _listener = listener;
    }

    public IReadOnlyList<InstallEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public void Add(string subject, string step, string message)
    {
        // Registry events arrive from parallel blob copies.
        var e = new InstallEvent(subject, step, message);
        lock (_lock)
        {
            _events.Add(e);
            _listener?.Invoke(e);
        }
    }

    public string ToText() => string.Concat(Events.Select(e => e + "\n"));
}
