namespace Xpkg.Registry;

/// <summary>One step of a decision trace, as <c>--explain</c> prints it.</summary>
/// <param name="Topic">What the step is about: <c>endpoint</c>, <c>tls</c>, <c>auth</c>, <c>fallback</c>, <c>digest</c>.</param>
/// <param name="Message">Human text; never contains a credential.</param>
public sealed record ExplainEvent(DateTimeOffset Time, string Topic, string Message)
{
    public override string ToString() => $"{Topic}: {Message}";
}

/// <summary>
/// Collects the decisions the registry layer takes (which endpoint, why, which scheme, which auth), so the
/// CLI can print them for <c>--explain</c> and tests can assert on them. Thread-safe: blobs move in parallel.
/// </summary>
public sealed class ExplainLog
{
    private readonly List<ExplainEvent> _events = [];
    private readonly Lock _lock = new();

    /// <summary>Called for every event as it happens (e.g. to stream to stderr); may be null.</summary>
    public Action<ExplainEvent>? OnEvent { get; set; }

    /// <summary>False for a long-running process (the server): events go to <see cref="OnEvent"/> only, none pile up.</summary>
    public bool Keep { get; init; } = true;

    /// <summary>A log nobody reads; the default where a caller passes none.</summary>
    public static ExplainLog Discard => new();

    public IReadOnlyList<ExplainEvent> Events
    {
        get
        {
            lock (_lock)
            {
                return [.. _events];
            }
        }
    }

    public void Add(string topic, string message)
    {
        var e = new ExplainEvent(DateTimeOffset.UtcNow, topic, message);
        if (Keep)
        {
            lock (_lock)
            {
                _events.Add(e);
            }
        }

        OnEvent?.Invoke(e);
    }

    public bool Contains(string topic, string fragment)
        => Events.Any(e => e.Topic == topic && e.Message.Contains(fragment, StringComparison.Ordinal));
}
