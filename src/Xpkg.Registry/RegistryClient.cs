using Xpkg.Oci;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

/// <summary>
/// The entry point of the registry layer: host configuration, credentials and connection pools shared by
/// every repository it hands out. One per command run; dispose it at the end.
/// </summary>
public sealed class RegistryClient : IDisposable
{
    private readonly RegistryTransport _transport;

    public RegistryClient(RegistryClientOptions? options = null)
    {
        Options = options ?? new RegistryClientOptions();
        Hosts = new HostResolver(Options.Hosts);
        _transport = new RegistryTransport(Options);
    }

    public RegistryClientOptions Options { get; }

    public HostResolver Hosts { get; }

    public ExplainLog Log => Options.Log;

    public RegistryRepository Repository(ImageReference reference) => Repository(reference.Registry, reference.Repository);

    public RegistryRepository Repository(string registry, string repository) => new(this, _transport, registry, repository);

    /// <summary>Turns a tag or digest reference into the descriptor of its manifest or index.</summary>
    public Task<Descriptor> ResolveAsync(ImageReference reference, CancellationToken cancellationToken)
        => Repository(reference).ResolveAsync(reference.Identifier, cancellationToken);

    /// <summary><c>GET /v2/</c> on the first endpoint that answers; true when it answered 200 or 401.</summary>
    public async Task<RegistryEndpoint> PingAsync(string registry, CancellationToken cancellationToken)
    {
        XpkgException? last = null;
        foreach (var endpoint in Hosts.Resolve(registry, HostCapabilities.None, Log))
        {
            try
            {
                using var response = await _transport.SendAsync(endpoint, new RegistryRequest
                {
                    Method = HttpMethod.Get,
                    Path = "",
                    Repository = null,
                    Scopes = new Auth.ScopeSet(),
                    What = "ping",
                }, cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.Unauthorized)
                {
                    Log.Add("endpoint", $"{endpoint.Authority} answered /v2/ with {(int)response.StatusCode}");
                    return _transport.Effective(endpoint);
                }

                last = await RegistryErrors.FromResponseAsync(response, endpoint, "/v2/", null, cancellationToken).ConfigureAwait(false);
            }
            catch (RegistryConnectionException e)
            {
                last = e;
            }
        }

        throw last ?? new XpkgException($"no endpoint for {registry}");
    }

    public void Dispose() => _transport.Dispose();
}
