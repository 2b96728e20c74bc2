using System.Text;
using System.Text.Json;
using Xpkg.Install.Input;
using Xpkg.Registry.Auth;

namespace Xpkg.Install.Sources;

/// <summary>
/// Registry logins from the <c>kubernetes.io/dockerconfigjson</c> Secrets among the inputs, so a package
/// that names a pull secret (or whose ImageConfig does) can be fetched with it; hosts no Secret covers
/// fall back to <paramref name="fallback"/> (Docker's config). Keys match as Docker matches them: a bare
/// host, or a URL whose host part is the registry.
/// </summary>
public sealed class PullSecretCredentials : ICredentialProvider
{
    private readonly Dictionary<string, Credential> _byHost = new(StringComparer.OrdinalIgnoreCase);
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
                if (Read(auth.Value, $"Secret {secret.Name}") is { } credential)
                {
                    _byHost.TryAdd(HostOf(auth.Name), credential);
                }
            }
        }
    }

    public async Task<Credential?> GetAsync(string registryHost, string? repository, CancellationToken cancellationToken)
        => _byHost.TryGetValue(registryHost, out var c)
            ? c
            : _fallback is null ? null : await _fallback.GetAsync(registryHost, repository, cancellationToken).ConfigureAwait(false);

    /// <summary><c>https://host:port/v1/</c> and <c>host:port</c> both name <c>host:port</c>.</summary>
    internal static string HostOf(string key)
    {
        string s = key.Contains("://", StringComparison.Ordinal) ? key[(key.IndexOf("://", StringComparison.Ordinal) + 3)..] : key;
        int slash = s.IndexOf('/', StringComparison.Ordinal);
        return slash < 0 ? s : s[..slash];
    }

    private static Credential? Read(JsonElement entry, string source)
    {
        if (entry.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? user = entry.TryGetProperty("username", out var u) ? u.GetString() : null;
        string? password = entry.TryGetProperty("password", out var p) ? p.GetString() : null;
        if (entry.TryGetProperty("auth", out var a) && a.GetString() is { Length: > 0 } encoded)
        {
            try
            {
                string pair = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
                int colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    user = pair[..colon];
                    password = pair[(colon + 1)..];
                }
            }
            catch (FormatException)
            {
                // A broken auth field leaves username/password as written, like Docker.
            }
        }

        string? token = entry.TryGetProperty("identitytoken", out var t) ? t.GetString() : null;
        return user is null && token is null ? null : new Credential(user, password, token, source: source);
    }
}
