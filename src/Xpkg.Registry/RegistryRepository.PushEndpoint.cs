using Xpkg.Oci;
using Xpkg.Registry.Hosts;

namespace Xpkg.Registry;

/// <summary>
/// Which endpoint takes a push when several have the push capability: the first that opens an upload session.
/// Settled once, before the first push request, so every blob and manifest of the push goes to the same place
/// (a read-only mirror that holds a blob must not answer "present" for an endpoint that lacks it).
/// </summary>
public sealed partial class RegistryRepository
{
    private readonly HashSet<string> _refusedPush = new(StringComparer.Ordinal);
    private Task? _pushChoice;

    private Task ChoosePushEndpointAsync(IReadOnlyList<RegistryEndpoint> endpoints, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return _pushChoice ??= ProbePushEndpointsAsync(endpoints, cancellationToken);
        }
    }

    /// <summary>
    /// Opens an upload session at each endpoint in order and cancels it at once; the first that opens one takes
    /// the push. The others are skipped for the rest of it, each with its reason in the explain log. When none
    /// opens one, the last endpoint's error (with its hint) is the answer.
    /// </summary>
    private async Task ProbePushEndpointsAsync(IReadOnlyList<RegistryEndpoint> endpoints, CancellationToken cancellationToken)
    {
        string what = $"push to {Registry}/{Name}";
        var candidates = endpoints.Where(e => !IsUnreachable(e)).ToList();
        for (int i = 0; i < candidates.Count; i++)
        {
            var endpoint = candidates[i];
            try
            {
                var (location, _) = await StartUploadAsync(endpoint, what, cancellationToken).ConfigureAwait(false);
                await CancelUploadAsync(endpoint, location, PushScope, cancellationToken).ConfigureAwait(false);
                Log.Add("push", $"{what} goes to {_transport.Effective(endpoint).Root} ({(endpoint.IsMirror ? "mirror" : "server")}): the first push endpoint that opened an upload session");
                return;
            }
            catch (XpkgException e) when (i < candidates.Count - 1)
            {
                if (e is RegistryConnectionException)
                {
                    lock (_lock)
                    {
                        _unreachable.Add(endpoint.Root.ToString());
                    }
                }

                RefusePush(endpoint, $"it refused an upload session ({e.Message}); trying {candidates[i + 1].Root}");
            }
        }
    }

    private void RefusePush(RegistryEndpoint endpoint, string why)
    {
        bool first;
        lock (_lock)
        {
            first = _refusedPush.Add(endpoint.Root.ToString());
        }

        if (first)
        {
            Log.Add("push", $"push to {Registry}/{Name}: not to {endpoint.Root} ({(endpoint.IsMirror ? "mirror" : "server")}): {why}");
        }
    }

    private bool RefusedPush(RegistryEndpoint e)
    {
        lock (_lock)
        {
            return _refusedPush.Contains(e.Root.ToString());
        }
    }
}
