using System.Security.Cryptography.X509Certificates;
using Xpkg.Server.Upstreams;

namespace Xpkg.Server;

/// <summary>How <see cref="RegistryServer"/> listens, authenticates and logs.</summary>
public sealed record RegistryServerOptions
{
    /// <summary><c>host:port</c> to bind; port 0 picks a free port. Loopback unless the user says otherwise.</summary>
    public string Address { get; init; } = "127.0.0.1:5000";

    /// <summary>
    /// The <c>host:port</c> that names this registry in cache references (pushes are stored as
    /// <c>&lt;RegistryHost&gt;/&lt;name&gt;:&lt;tag&gt;</c>). Defaults to the bound address.
    /// </summary>
    public string? RegistryHost { get; init; }

    /// <summary>Serve HTTPS with this certificate (it must carry its private key); null for plain HTTP.</summary>
    public X509Certificate2? Certificate { get; init; }

    /// <summary>An htpasswd file of bcrypt entries; when set, pushes need a user and so may pulls.</summary>
    public string? HtpasswdFile { get; init; }

    /// <summary>With <see cref="HtpasswdFile"/>: refuse anonymous pulls too.</summary>
    public bool AuthenticatePulls { get; init; }

    public bool ReadOnly { get; init; }

    public AccessLogFormat AccessLog { get; init; } = AccessLogFormat.Text;

    /// <summary>Where access log lines go; standard error when null.</summary>
    public TextWriter? AccessLogWriter { get; init; }

    /// <summary>An upload session untouched for this long is discarded.</summary>
    public TimeSpan UploadExpiry { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Uploads open at once (each holds a file open); more are answered 429 with Retry-After.</summary>
    public int MaxOpenUploads { get; init; } = 1024;

    /// <summary>
    /// Where content of upstream repositories comes from: a registry (mirror mode: stored into the cache as it is
    /// served) or containerd (every repository, read-only, streamed directly). Null serves the cache alone.
    /// </summary>
    public IUpstream? Upstream { get; init; }

    /// <summary>
    /// With a mirror (<see cref="Upstream"/> filling the cache): a read-only store asked before the mirror's upstreams,
    /// containerd's images; what it holds is served as it is and never copied into the cache. Null: none.
    /// </summary>
    public IUpstream? Local { get; init; }

    /// <summary>Mirror mode: how long a cached tag is trusted, and how long its upstream check may take.</summary>
    public UpstreamPolicy UpstreamPolicy { get; init; } = new();

    /// <summary>How long shutdown waits for requests in flight (uploads included) before cutting them off.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(30);
}
