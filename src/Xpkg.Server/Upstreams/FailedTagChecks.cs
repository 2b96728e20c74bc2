using System.Collections.Concurrent;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// Tags whose upstream check failed lately (upstream down, slow, or without the tag): each is checked again only
/// after <paramref name="backoff"/>, and until then its cached manifest is served at once. Forgotten on the next
/// check that succeeds; an entry lost to the bound costs one more check, nothing else.
/// </summary>
internal sealed class FailedTagChecks(TimeSpan backoff)
{
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, DateTimeOffset> _failedAt = new(StringComparer.Ordinal);

    public TimeSpan Backoff => backoff;

    public void Remember(string tag)
    {
        if (_failedAt.Count >= MaxEntries)
        {
            _failedAt.Clear();
        }

        _failedAt[tag] = DateTimeOffset.UtcNow;
    }

    public void Forget(string tag) => _failedAt.TryRemove(tag, out _);

    /// <summary>How long ago the tag's last check failed, when that is within the back-off; else null (check it).</summary>
    public TimeSpan? RecentFailure(string tag)
        => _failedAt.TryGetValue(tag, out var at) && DateTimeOffset.UtcNow - at is var ago && ago < backoff ? ago : null;
}
