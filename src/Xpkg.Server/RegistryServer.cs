using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Xpkg.Oci;
using Xpkg.Server.Upstreams;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>
/// The built-in OCI registry: the distribution spec v1.1 over a <see cref="ContentStore"/>, on Kestrel.
/// See <see cref="RepositoryMap"/> for how cache references appear as repositories.
/// </summary>
public sealed class RegistryServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly UploadSessions _sessions;
    private readonly LeaseKeeper _lease;
    private readonly AccessLog _log;
    private readonly TimeSpan _shutdownTimeout;
    private bool _stopped;

    private RegistryServer(WebApplication app, UploadSessions sessions, LeaseKeeper lease, AccessLog log, Uri baseAddress, string registryHost, TimeSpan shutdownTimeout)
    {
        _app = app;
        _sessions = sessions;
        _lease = lease;
        _log = log;
        BaseAddress = baseAddress;
        RegistryHost = registryHost;
        _shutdownTimeout = shutdownTimeout;
    }

    /// <summary>Where the server listens, e.g. <c>http://127.0.0.1:5000/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The <c>host:port</c> pushes are recorded under in the cache.</summary>
    public string RegistryHost { get; }

    /// <summary>Triggered when the host is asked to stop (e.g. SIGTERM).</summary>
    public CancellationToken Stopping => _app.Lifetime.ApplicationStopping;

    public int OpenUploads => _sessions.Count;

    public static async Task<RegistryServer> StartAsync(ContentStore store, RegistryServerOptions options, CancellationToken cancellationToken)
    {
        if (options.Local is not null && options.Upstream is not { FillsCache: true })
        {
            throw new ArgumentException("a local store is asked before a mirror's upstreams: set it only with a mirror", nameof(options));
        }

        var endpoint = ParseAddress(options.Address);
        var users = options.HtpasswdFile is null ? null : Htpasswd.Load(options.HtpasswdFile);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        // Kestrel receives into 4 KiB blocks; by default it first waits for data with a zero-byte receive so idle
        // connections hold no block. That is a second system call per 4 KiB of every upload: a 1 GiB upload cost
        // 10-15% more server CPU with it. An idle connection holding 4 KiB is the cheaper side.
        builder.WebHost.UseSockets(o => o.WaitForDataBeforeAllocatingBuffer = false);

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;

            // Kestrel's 30 MB default stays for everything but blob uploads, which lift it per request.
            kestrel.Limits.MaxRequestBodySize = 30_000_000;
            kestrel.Listen(endpoint, listen =>
            {
                if (options.Certificate is { } certificate)
                {
                    listen.UseHttps(certificate);
                }
            });
        });

        var app = builder.Build();
        var lease = await LeaseKeeper.StartAsync(store, TimeSpan.FromMinutes(30), cancellationToken).ConfigureAwait(false);
        var sessions = new UploadSessions(store, options.UploadExpiry) { MaxOpenSessions = options.MaxOpenUploads };
        var errorLog = options.AccessLogWriter ?? Console.Error;
        var log = new AccessLog(options.AccessLog, errorLog);
        try
        {
            var manifestInfo = new ManifestInfoCache(store);
            if (options.AccessLog != AccessLogFormat.None)
            {
                app.Use((context, next) => log.InvokeAsync(context, () => next(context)));
            }

            // One terminal handler instead of endpoint routing: the dispatcher parses /v2/ paths itself (names
            // contain slashes), so a route table would only add work to every request.
            // Bound late: the registry host names the actual port when port 0 was asked for.
            RegistryDispatcher? dispatcher = null;
            app.Run(context => dispatcher!.HandleAsync(context));

            await app.StartAsync(cancellationToken).ConfigureAwait(false);
            var bound = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
            string registryHost = options.RegistryHost ?? bound.Authority;
            var repositories = new RepositoryMap(store, registryHost);
            var blobs = new BlobEndpoints(store, repositories, manifestInfo);
            (UpstreamRouter, UpstreamEndpoints)? upstreams = null;
            if (options.Upstream is { } upstream)
            {
                var mirrorLog = new MirrorLog(options.AccessLog, errorLog);
                var source = new ServeSource(store, repositories, manifestInfo, upstream, options.UpstreamPolicy, mirrorLog, app.Lifetime.ApplicationStopping)
                {
                    Local = options.Local,
                };
                var listings = new UpstreamListings(repositories, upstream, options.Local, mirrorLog);
                upstreams = (new UpstreamRouter(registryHost, everyName: !upstream.FillsCache), new UpstreamEndpoints(source, listings, blobs));
            }

            dispatcher = new RegistryDispatcher(
                // What containerd holds is served read-only: nothing here writes into it.
                new AccessPolicy(users, options.AuthenticatePulls, options.ReadOnly || options.Upstream is { FillsCache: false }),
                blobs,
                new ManifestEndpoints(store, repositories, manifestInfo),
                new UploadEndpoints(store, sessions),
                new ListingEndpoints(repositories),
                new ReferrersEndpoint(repositories, manifestInfo),
                errorLog,
                upstreams);
            return new RegistryServer(app, sessions, lease, log, new Uri(bound.GetLeftPart(UriPartial.Authority) + "/"), registryHost, options.ShutdownTimeout);
        }
        catch
        {
            await sessions.DisposeAsync().ConfigureAwait(false);
            await lease.DisposeAsync().ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            await log.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Runs until <paramref name="cancellationToken"/> fires or the host is told to stop, then stops gracefully.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, Stopping);
        try
        {
            await Task.Delay(Timeout.Infinite, either.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Stops accepting requests, lets those in flight finish (up to the shutdown timeout), then discards open uploads.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(_shutdownTimeout);
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _sessions.DisposeAsync().ConfigureAwait(false);
            await _lease.DisposeAsync().ConfigureAwait(false);
            await _log.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Parses <c>host:port</c>, <c>[v6]:port</c> or <c>:port</c>; names other than localhost must be IP addresses.</summary>
    public static IPEndPoint ParseAddress(string address)
    {
        if (address.StartsWith(':'))
        {
            address = "127.0.0.1" + address;
        }

        int colon = address.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(address.AsSpan(colon + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new InvalidInputException($"invalid address \"{address}\"", "use HOST:PORT, e.g. 127.0.0.1:5000 or [::1]:5000");
        }

        string host = address[..colon].Trim('[', ']');
        IPAddress ip = host == "localhost" ? IPAddress.Loopback
            : IPAddress.TryParse(host, out var parsed) ? parsed
            : throw new InvalidInputException($"invalid address \"{address}\": {host} is not an IP address", "use an IP address to bind, e.g. 127.0.0.1 or 0.0.0.0");
        return new IPEndPoint(ip, port);
    }
}
