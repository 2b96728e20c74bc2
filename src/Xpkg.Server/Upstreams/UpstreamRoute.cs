namespace Xpkg.Server.Upstreams;

/// <summary>A request for an upstream repository; <see cref="Name"/> is null when the name given is not a valid one.</summary>
internal sealed record UpstreamRoute(UpstreamName? Name);
