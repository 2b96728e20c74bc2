namespace Xpkg.Server.Upstreams;

/// <summary>How long a cached tag is trusted before it is checked upstream again, and how long that check may take.</summary>
public sealed record UpstreamPolicy
{
    public TimeSpan TagTtl { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A tag check slower than this is abandoned and the cached manifest served.</summary>
    public TimeSpan RevalidateTimeout { get; init; } = TimeSpan.FromSeconds(3);
}
