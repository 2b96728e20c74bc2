using System.Text.Json;
using Xpkg.Install.Input;
using Xpkg.Registry.Auth;

namespace Xpkg.Install.Sources;

/// <summary>
/// Registry logins from the <c>kubernetes.io/dockerconfigjson</c> Secrets that apply to a package, matched as the
/// kubelet's keyring (and so Crossplane) matches them: a key is <c>host[:port][/path]</c>, optionally written as
/// a URL (<c>https://host/v1/</c>); each dot-separated label of its host may be a glob (<c>*.example.com</c>), the
/// port must be the same, and its path must be a string prefix of the repository. Keys are tried in reverse
/// lexical order, so <c>host/team</c> comes before <c>host</c>. What no key covers falls back to
/// <paramref name="fallback"/> (this machine's logins).
/// </summary>
public sealed class PullSecretCredentials : ICredentialProvider
{
    private readonly List<(string Key, Credential Credential)> _keys = [];
    private readonly ICredentialProvider? _fallback;

    public PullSecretCredentials(IEnumerable<PullSecret> secrets, ICredentialProvider? fallback)
    {
        _fallback = fallback;
        // A Secret named but not among the inputs has no content here; it only has to exist in the cluster.
        foreach (var secret in secrets.Where(s => s.DockerConfigJson.Length > 0))
        {
            using var doc = JsonDocument.Parse(secret.DockerConfigJson);
            foreach (var auth in doc.RootElement.GetProperty("auths").EnumerateObject())
            {
                string key = KeyOf(auth.Name);
                if (key.Length > 0 && DockerConfigFile.ReadEntry(auth.Value, $"Secret {secret.Name} (key {auth.Name})") is { } credential)
                {
                    _keys.Add((key, credential));
                }
            }
        }

        // Stable: of two Secrets with the same key, the one named first wins.
        _keys = _keys.OrderByDescending(k => k.Key, StringComparer.Ordinal).ToList();
    }

    public async Task<Credential?> GetAsync(string registryHost, string? repository, CancellationToken cancellationToken)
    {
        string target = AuthKeys.NormalizeHost(registryHost) + "/" + (repository ?? "").Trim('/');
        foreach (var (key, credential) in _keys)
        {
            if (Matches(key, target))
            {
                return credential;
            }
        }

        return _fallback is null ? null : await _fallback.GetAsync(registryHost, repository, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>https://host:port/v1/</c>, <c>host:port</c> and <c>host:port/</c> all name <c>host:port</c>; a path
    /// stays (without a <c>/v1</c> or <c>/v2</c> API prefix). Docker Hub's aliases become <c>docker.io</c>.
    /// </summary>
    internal static string KeyOf(string key)
    {
        string s = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        int slash = s.IndexOf('/', StringComparison.Ordinal);
        string host = AuthKeys.NormalizeHost(slash < 0 ? s : s[..slash]);
        string path = slash < 0 ? "" : s[slash..];
        if (path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/v2/", StringComparison.Ordinal))
        {
            path = path[3..];
        }

        return path is "" or "/" ? host : host + path;
    }

    private static bool Matches(string key, string target)
    {
        int keySlash = key.IndexOf('/', StringComparison.Ordinal);
        int targetSlash = target.IndexOf('/', StringComparison.Ordinal);
        string keyHost = keySlash < 0 ? key : key[..keySlash];
        string keyPath = keySlash < 0 ? "" : key[keySlash..];
        var (globHost, globPort) = SplitPort(keyHost);
        var (host, port) = SplitPort(target[..targetSlash]);
        string[] globLabels = globHost.Split('.');
        string[] labels = host.Split('.');
        return globPort == port
            && globLabels.Length == labels.Length
            && globLabels.Zip(labels).All(p => Glob(p.First, p.Second))
            && target[targetSlash..].StartsWith(keyPath, StringComparison.Ordinal);
    }

    private static (string Host, string Port) SplitPort(string authority)
    {
        int colon = authority.LastIndexOf(':');
        return colon < 0 || authority.EndsWith(']') ? (authority, "") : (authority[..colon], authority[(colon + 1)..]);
    }

    // One label of a host, as Go's path.Match reads it: '*' is any run of characters, '?' any one.
    private static bool Glob(string pattern, string text)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal) && !pattern.Contains('?', StringComparison.Ordinal))
        {
            return pattern == text;
        }

        var memo = new bool?[pattern.Length + 1, text.Length + 1];
        return Match(0, 0);

        bool Match(int p, int t)
        {
            if (memo[p, t] is { } known)
            {
                return known;
            }

            bool result = p == pattern.Length
                ? t == text.Length
                : pattern[p] == '*'
                    ? Match(p + 1, t) || (t < text.Length && Match(p, t + 1))
                    : t < text.Length && (pattern[p] == '?' || pattern[p] == text[t]) && Match(p + 1, t + 1);
            memo[p, t] = result;
            return result;
        }
    }
}
