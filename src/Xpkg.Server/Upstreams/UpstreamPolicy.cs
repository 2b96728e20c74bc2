namespace Xpkg.Server.Upstreams;

/// <summary>How long a cached tag is trusted before it is checked upstream again, and how long that check may take.</summary>
public sealed record UpstreamPolicy
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    public TimeSpan TagTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A tag check slower than this is abandoned and the cached manifest served.</summary>
    public TimeSpan RevalidateTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// After a tag check failed, how long the cached manifest is served without asking again: the TTL, at most
    /// 30 s. Without it every request to a down or slow upstream would wait for its own failed check.
    /// </summary>
    public TimeSpan FailedCheckBackoff => TagTtl < MaxBackoff ? TagTtl : MaxBackoff;
}
