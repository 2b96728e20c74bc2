using System.Net;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;

namespace Xpkg.Registry;

/// <summary>Everything a <see cref="RegistryClient"/> needs besides a reference; defaults suit the CLI.</summary>
public sealed record RegistryClientOptions
{
    public RegistryHostOptions Hosts { get; init; } = new();

    /// <summary>Where logins come from; default: Docker config.json, then containers auth.json (<see cref="Auth.CredentialFiles"/>).</summary>
    public ICredentialProvider? Credentials { get; init; }

    public ExplainLog Log { get; init; } = new();

    /// <summary>Attempts per request for connection errors, 408, 429 and 5xx (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 4;

    /// <summary>First backoff delay; it doubles per attempt with 10% jitter.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A <c>Retry-After</c> longer than this is cut to it, so a registry cannot park us for hours.</summary>
    public TimeSpan MaxRetryAfter { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How long a response (headers) may take, and how long a body may go without a byte.</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a broken blob download is resumed with <c>Range</c> before giving up.</summary>
    public int MaxResumes { get; init; } = 5;

    /// <summary>Blob uploads in PATCH chunks of this size (raised to the registry's <c>OCI-Chunk-Min-Length</c>); 0 = one monolithic PUT.</summary>
    public int ChunkSize { get; init; }

    /// <summary>Hash blobs while reading them (the copy engine's target verifies too; this catches a lie at the source).</summary>
    public bool VerifyBlobs { get; init; } = true;

    /// <summary>Tests only: resolve a host name to an address without DNS (e.g. a test name to 127.0.0.1).</summary>
    public Func<string, IPAddress?>? HostNameOverride { get; init; }

    public string UserAgent { get; init; } = "xpkg/0.1";

    /// <summary>
    /// A guard for <c>--offline</c> and the <c>Never</c> policy: any request fails before a socket is opened.
    /// The CLI should not need a client then at all; this makes a slip an error instead of traffic.
    /// </summary>
    public bool Offline { get; init; }
}
