using System.Text;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Registry.Auth;

/// <summary>
/// Docker's <c>config.json</c>: <c>auths</c> (auth, username/password, identitytoken, registrytoken),
/// <c>credsStore</c> and <c>credHelpers</c>. Secrets stay in memory and are never echoed in messages.
/// </summary>
public sealed class DockerConfigFile : ICredentialProvider
{
    private const string DockerHubKey = "https://index.docker.io/v1/";

    private readonly Dictionary<string, Credential> _auths = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _helpers = new(StringComparer.OrdinalIgnoreCase);
    private readonly CredentialHelperRunner _runner;

    private DockerConfigFile(string? path, CredentialHelperRunner runner)
    {
        Path = path;
        _runner = runner;
    }

    /// <summary>The file read, or null when there is none.</summary>
    public string? Path { get; }

    public string? CredsStore { get; private set; }

    /// <summary><c>$DOCKER_CONFIG/config.json</c>, else <c>~/.docker/config.json</c>.</summary>
    public static string DefaultPath(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        string? dir = getEnv("DOCKER_CONFIG");
        if (string.IsNullOrEmpty(dir))
        {
            string home = getEnv("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            dir = System.IO.Path.Combine(home, ".docker");
        }

        return System.IO.Path.Combine(dir, "config.json");
    }

    /// <summary>Loads the file; a missing file means no credentials, a malformed one is an error.</summary>
    public static DockerConfigFile Load(string? path = null, CredentialHelperRunner? runner = null)
    {
        path ??= DefaultPath();
        runner ??= new CredentialHelperRunner();
        if (!File.Exists(path))
        {
            return new DockerConfigFile(null, runner);
        }

        var config = new DockerConfigFile(path, runner);
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = doc.RootElement;
            if (root.TryGetProperty("auths", out var auths) && auths.ValueKind == JsonValueKind.Object)
            {
                foreach (var entry in auths.EnumerateObject())
                {
                    if (ReadEntry(entry.Value, $"{path} auths") is { } cred)
                    {
                        config._auths[NormalizeKey(entry.Name)] = cred;
                    }
                }
            }

            if (root.TryGetProperty("credsStore", out var store) && store.ValueKind == JsonValueKind.String && store.GetString() is { Length: > 0 } s)
            {
                config.CredsStore = s;
            }

            if (root.TryGetProperty("credHelpers", out var helpers) && helpers.ValueKind == JsonValueKind.Object)
            {
                foreach (var h in helpers.EnumerateObject())
                {
                    if (h.Value.GetString() is { Length: > 0 } suffix)
                    {
                        config._helpers[NormalizeKey(h.Name)] = suffix;
                    }
                }
            }
        }
        catch (JsonException e)
        {
            // The parser's message can quote the file's text, which may hold a secret: keep only the position.
            throw new InvalidInputException($"{path} is not valid JSON (line {e.LineNumber + 1})", "fix or remove that credentials file", null);
        }

        return config;
    }

    public async Task<Credential?> GetAsync(string registryHost, CancellationToken cancellationToken)
    {
        string key = NormalizeKey(registryHost);
        if (_helpers.TryGetValue(key, out string? helper))
        {
            return await _runner.GetAsync(helper, ServerUrlFor(key), cancellationToken).ConfigureAwait(false);
        }

        if (_auths.TryGetValue(key, out var cred))
        {
            return cred;
        }

        if (CredsStore is not null)
        {
            return await _runner.GetAsync(CredsStore, ServerUrlFor(key), cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    // Helpers store Docker Hub under its v1 URL and other registries under the bare host.
    private static string ServerUrlFor(string key) => key == ImageReference.DockerHub ? DockerHubKey : key;

    /// <summary><c>https://host/v1/</c>, <c>index.docker.io</c> and the like all name one registry.</summary>
    internal static string NormalizeKey(string key)
    {
        string k = key;
        int scheme = k.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            k = k[(scheme + 3)..];
        }

        int slash = k.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            k = k[..slash];
        }

        return k.ToLowerInvariant() switch
        {
            "index.docker.io" or "registry-1.docker.io" or "registry.hub.docker.com" => ImageReference.DockerHub,
            var other => other,
        };
    }

    private static Credential? ReadEntry(JsonElement e, string source)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        string? Get(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
        string? user = Get("username");
        string? pass = Get("password");
        if (Get("auth") is string auth)
        {
            (user, pass) = DecodeAuth(auth, source);
        }

        string? identity = Get("identitytoken");
        string? registryToken = Get("registrytoken");
        return user is null && identity is null && registryToken is null ? null : new Credential(user, pass, identity, registryToken, source);
    }

    /// <summary>Decodes <c>base64(user:password)</c>; the error never contains the value.</summary>
    internal static (string User, string Password) DecodeAuth(string encoded, string source)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(Convert.FromBase64String(encoded));
        }
        catch (FormatException)
        {
            throw new InvalidInputException($"{source}: an \"auth\" value is not base64", "it must be base64 of username:password");
        }

        int colon = text.IndexOf(':', StringComparison.Ordinal);
        return colon < 0
            ? throw new InvalidInputException($"{source}: an \"auth\" value has no ':' between username and password")
            : (text[..colon], text[(colon + 1)..]);
    }
}
