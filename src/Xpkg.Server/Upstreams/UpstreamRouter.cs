namespace Xpkg.Server.Upstreams;

/// <summary>
/// Which requests are for an upstream. A mirror is asked for one by the <c>ns</c> query parameter containerd
/// sends to mirrors (<c>/v2/library/alpine/manifests/3.20?ns=docker.io</c>) or by a path prefix whose first
/// component looks like a registry host (<c>/v2/registry.example/org/app/…</c>: it has a dot or a port, or is
/// <c>localhost</c>); other names stay the cache's own. When the upstream is all the server serves
/// (containerd), every name is upstream, normalised as references are (<c>alpine</c> is <c>docker.io/library/alpine</c>).
/// </summary>
internal sealed class UpstreamRouter(string registryHost, bool everyName)
{
    /// <summary>Null for a request of the cache's own; else the upstream route (its name null when the name is invalid).</summary>
    public UpstreamRoute? Route(HttpRequest request, RegistryRoute route)
    {
        if (route.Name.Length == 0)
        {
            return null;
        }

        string? ns = request.Query["ns"];
        if (!string.IsNullOrEmpty(ns) && !string.Equals(ns, registryHost, StringComparison.OrdinalIgnoreCase))
        {
            return new UpstreamRoute(UpstreamName.TryParse(ns, route.Name));
        }

        int slash = route.Name.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0 && LooksLikeHost(route.Name[..slash]))
        {
            string host = route.Name[..slash];
            return string.Equals(host, registryHost, StringComparison.OrdinalIgnoreCase) && !everyName
                ? null
                : new UpstreamRoute(RegistryRoute.IsValidName(route.Name[(slash + 1)..]) ? UpstreamName.TryParse(host, route.Name[(slash + 1)..]) : null);
        }

        if (!everyName)
        {
            return null;
        }

        return new UpstreamRoute(RegistryRoute.IsValidName(route.Name) ? UpstreamName.TryParse(Oci.ImageReference.DockerHub, route.Name) : null);
    }

    /// <summary>Docker's rule for the first component of a reference: a registry when it has a dot or a port, or is localhost.</summary>
    public static bool LooksLikeHost(string component)
        => component.Contains('.', StringComparison.Ordinal) || component.Contains(':', StringComparison.Ordinal) || component == "localhost";
}
