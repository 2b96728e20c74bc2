using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

/// <summary>
/// One repository of one registry, as a copy-engine end: pull (<see cref="IContentSource"/>) and push
/// (<see cref="IContentTarget"/>) through the endpoints the host configuration chose, mirrors first.
/// Pull, push and discovery live in the partial files beside this one.
/// </summary>
public sealed partial class RegistryRepository : IContentSource, IContentTarget
{
    private readonly RegistryClient _client;
    private readonly RegistryTransport _transport;
    private readonly HashSet<string> _unreachable = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    internal RegistryRepository(RegistryClient client, RegistryTransport transport, string registry, string name)
    {
        _client = client;
        _transport = transport;
        Registry = registry;
        Name = name;
    }

    public string Registry { get; }

    /// <summary>The repository path, e.g. <c>library/alpine</c>.</summary>
    public string Name { get; }

    public string Description => $"registry {Registry}/{Name}";

    public int MaxParallelWrites { get; init; } = 4;

    /// <summary>Repositories of the same registry to try a cross-repository mount from before uploading.</summary>
    public IList<string> MountSources { get; } = [];

    private ExplainLog Log => _client.Log;

    private ScopeSet PullScope => new([ScopeSet.Pull(Name)]);

    private ScopeSet PushScope => new([ScopeSet.Push(Name)]);

    /// <summary>
    /// Runs <paramref name="operation"/> on each endpoint that has <paramref name="needed"/>, in order, until
    /// one succeeds. A failing mirror falls through to the next; the last endpoint's error is the answer. A push
    /// first settles which endpoint takes it (<see cref="ChoosePushEndpointAsync"/>) and skips the ones that refused.
    /// </summary>
    private async Task<T> OnEndpointsAsync<T>(HostCapabilities needed, string what, Func<RegistryEndpoint, Task<T>> operation, CancellationToken cancellationToken)
    {
        var endpoints = _client.Hosts.Resolve(Registry, needed, Log);
        bool push = needed.HasFlag(HostCapabilities.Push);
        if (push && endpoints.Count > 1)
        {
            await ChoosePushEndpointAsync(endpoints, cancellationToken).ConfigureAwait(false);
        }

        var candidates = endpoints.Where(e => !IsUnreachable(e) && !(push && RefusedPush(e))).ToList();
        if (candidates.Count == 0)
        {
            candidates = [.. endpoints];
        }

        for (int i = 0; i < candidates.Count; i++)
        {
            var endpoint = candidates[i];
            try
            {
                T result = await operation(endpoint).ConfigureAwait(false);
                Log.Add("answer", $"{what}: answered by {_transport.Effective(endpoint).Root} ({(endpoint.IsMirror ? "mirror" : "server")})");
                return result;
            }
            catch (XpkgException e) when (i < candidates.Count - 1 && !(push && LacksContent(e)))
            {
                // An endpoint that cannot answer at all (or only with server errors, after retries) is not
                // asked again by this repository; one that merely lacks something still is.
                if (e is RegistryConnectionException || e is RegistryResponseException { StatusCode: >= System.Net.HttpStatusCode.InternalServerError })
                {
                    lock (_lock)
                    {
                        _unreachable.Add(endpoint.Root.ToString());
                    }
                }

                if (push)
                {
                    RefusePush(endpoint, $"it failed during the push ({e.Message}); the rest of the push goes to {candidates[i + 1].Root}");
                }

                Log.Add("fallback", $"{what}: {endpoint.Root} failed ({e.Message}); trying {candidates[i + 1].Root}");
            }
        }

        throw new InvalidOperationException("unreachable: the last endpoint either returns or throws");
    }

    private bool IsUnreachable(RegistryEndpoint e)
    {
        lock (_lock)
        {
            return _unreachable.Contains(e.Root.ToString());
        }
    }

    private async Task<XpkgException> ErrorAsync(HttpResponseMessage response, RegistryEndpoint endpoint, string what, CancellationToken cancellationToken)
    {
        var login = await _transport.Auth.CredentialForAsync(endpoint, Name, cancellationToken).ConfigureAwait(false);
        return await RegistryErrors.FromResponseAsync(response, endpoint, what, login, cancellationToken).ConfigureAwait(false);
    }

    private static string Escape(string path) => string.Join('/', path.Split('/').Select(Uri.EscapeDataString));
}
