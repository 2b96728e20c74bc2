using Xpkg.Oci;

namespace Xpkg.Registry.Auth;

/// <summary>
/// How an <c>auths</c> key names what it logs in to, as containers-auth.json(5) and containers/image read it
/// (for auth.json and, as their extension, Docker's config.json): a key is a registry (<c>host[:port]</c>) or a
/// repository path on one (<c>host/ns[/repo]</c>, what <c>podman login host/ns</c> writes). A repository is
/// matched by the most specific key that is a prefix of it on <c>/</c> boundaries, then by its bare host; so
/// <c>host/goo</c> does not match <c>host/good/x</c>. A URL key (<c>https://host/v1/</c>, Docker's old form)
/// names its host only.
/// </summary>
public static class AuthKeys
{
    /// <summary>The key as it is looked up: URLs cut to their host, Docker Hub's aliases made <c>docker.io</c>.</summary>
    public static string Normalize(string key)
    {
        string k = key;
        int scheme = k.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            k = k[(scheme + 3)..];
            int slash = k.IndexOf('/', StringComparison.Ordinal);
            if (slash >= 0)
            {
                k = k[..slash];
            }
        }

        k = k.TrimEnd('/');
        int hostEnd = k.IndexOf('/', StringComparison.Ordinal);
        string host = NormalizeHost(hostEnd < 0 ? k : k[..hostEnd]);
        return hostEnd < 0 ? host : host + k[hostEnd..];
    }

    /// <summary>A registry host as logins name it: lower case, Docker Hub's aliases made <c>docker.io</c>.</summary>
    public static string NormalizeHost(string host)
    {
        host = host.ToLowerInvariant();
        return host is "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" ? ImageReference.DockerHub : host;
    }

    /// <summary>True for a key written as a URL, which Docker's older logins wrote and which names a host only.</summary>
    public static bool IsUrl(string key) => key.Contains("://", StringComparison.Ordinal);

    /// <summary>
    /// The keys to try for <paramref name="repository"/> of <paramref name="registryHost"/>, most specific first:
    /// <c>host/a/b</c>, <c>host/a</c>, <c>host</c>. Without a repository, only the host.
    /// </summary>
    public static IReadOnlyList<string> LookupOrder(string registryHost, string? repository)
    {
        string host = Normalize(registryHost);
        var keys = new List<string>();
        if (!string.IsNullOrEmpty(repository))
        {
            string path = host + "/" + repository.Trim('/');
            for (int cut = path.Length; cut > host.Length; cut = path.LastIndexOf('/', cut - 1))
            {
                keys.Add(path[..cut]);
            }
        }

        keys.Add(host);
        return keys;
    }
}
