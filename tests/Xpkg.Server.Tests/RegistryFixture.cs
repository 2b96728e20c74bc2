using System.Net.Http.Headers;
using Xpkg.Server;
using Xpkg.Store;

namespace Xpkg.Server.Tests;

/// <summary>An in-process registry on a free loopback port over a fresh temporary cache.</summary>
public class RegistryFixture : IAsyncLifetime
{
    private readonly StringWriter _log = new();

    public string Directory { get; } = Path.Combine(Path.GetTempPath(), "xpkg-server-tests-" + Guid.NewGuid().ToString("N"));

    public ContentStore Store { get; private set; } = null!;

    public RegistryServer Server { get; private set; } = null!;

    public HttpClient Client { get; private set; } = null!;

    /// <summary>Distribution API calls through <see cref="Client"/>.</summary>
    public RegistryApi Api { get; private set; } = null!;

    public string AccessLog
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    protected virtual RegistryServerOptions Configure(RegistryServerOptions options) => options;

    protected virtual HttpMessageHandler CreateHandler() => new SocketsHttpHandler { AllowAutoRedirect = false };

    /// <summary>
    /// Conformance fixtures run against another registry when <c>XPKG_CONFORMANCE_URL</c> names one (e.g. Debian's
    /// docker-registry), to compare; <see cref="Store"/> and <see cref="Server"/> are then not available.
    /// </summary>
    protected virtual bool MayUseExternalRegistry => false;

    /// <summary>True when the tests talk to another registry (see <see cref="MayUseExternalRegistry"/>).</summary>
    public bool IsExternal { get; private set; }

    public virtual async Task InitializeAsync()
    {
        System.IO.Directory.CreateDirectory(Directory);
        if (MayUseExternalRegistry && Environment.GetEnvironmentVariable("XPKG_CONFORMANCE_URL") is { Length: > 0 } external)
        {
            Client = new HttpClient(CreateHandler()) { BaseAddress = new Uri(external), Timeout = TimeSpan.FromSeconds(60) };
            Api = new RegistryApi(Client);
            IsExternal = true;
            return;
        }

        Store = ContentStore.Open(Path.Combine(Directory, "cache"));
        var options = Configure(new RegistryServerOptions
        {
            Address = "127.0.0.1:0",
            AccessLog = AccessLogFormat.Json,
            AccessLogWriter = TextWriter.Synchronized(_log),
            ShutdownTimeout = TimeSpan.FromSeconds(5),
        });
        Server = await RegistryServer.StartAsync(Store, options, CancellationToken.None);
        Client = new HttpClient(CreateHandler()) { BaseAddress = Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("xpkg-server-tests", "1"));
        Api = new RegistryApi(Client);
    }

    public virtual async Task DisposeAsync()
    {
        Client?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
