using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Registry.Auth;

/// <summary>
/// Docker's <c>config.json</c>: <c>auths</c> (auth, username/password, identitytoken, registrytoken),
/// <c>credsStore</c> and <c>credHelpers</c>. The same shape is podman's and skopeo's <c>auth.json</c>. An <c>auths</c>
/// key may name a repository path (<see cref="AuthKeys"/>); helpers are asked per host only, as containers/image
/// asks them. Secrets stay in memory and are never echoed in messages.
/// </summary>
public sealed class DockerConfigFile : ICredentialProvider
{
    private const string DockerHubKey = "https://index.docker.io/v1/";

    private readonly Dictionary<string, Credential> _auths = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, string> _helpers = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Task<Credential?>>> _helperAnswers = new(StringComparer.OrdinalIgnoreCase);
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
                // A key as written wins over a URL key naming the same host (containers/image tries those last).
                foreach (var entry in auths.EnumerateObject().OrderBy(e => AuthKeys.IsUrl(e.Name)))
                {
                    if (ReadEntry(entry.Value, $"{path} auths \"{entry.Name}\"") is { } cred)
                    {
                        config._auths.TryAdd(AuthKeys.Normalize(entry.Name), cred);
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
                        config._helpers[AuthKeys.Normalize(h.Name)] = suffix;
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

    /// <summary>
    /// The host's <c>credHelpers</c> entry, else the most specific <c>auths</c> key for the repository down to the
    /// bare host, else <c>credsStore</c>.
    /// </summary>
    public async Task<Credential?> GetAsync(string registryHost, string? repository, CancellationToken cancellationToken)
    {
        string host = AuthKeys.Normalize(registryHost);
        if (_helpers.TryGetValue(host, out string? helper))
        {
            return await HelperAsync(helper, host, $"credHelpers \"{host}\"", cancellationToken).ConfigureAwait(false);
        }

        foreach (string key in AuthKeys.LookupOrder(host, repository))
        {
            if (_auths.TryGetValue(key, out var cred))
            {
                return cred;
            }
        }

        return CredsStore is null ? null : await HelperAsync(CredsStore, host, "credsStore", cancellationToken).ConfigureAwait(false);
    }

    // A helper is a process start: each is asked once per host, however many repositories need it. The answer is
    // shared by parallel callers, so it must not die with the first caller's token; helpers have their own time limit.
    private Task<Credential?> HelperAsync(string helper, string host, string entry, CancellationToken cancellationToken)
        => _helperAnswers.GetOrAdd(helper + "\n" + host, _ => new Lazy<Task<Credential?>>(async () =>
            await _runner.GetAsync(helper, ServerUrlFor(host), CancellationToken.None).ConfigureAwait(false) is { } c
                ? c.WithSource($"docker-credential-{helper} ({entry} in {Path})")
                : null)).Value.WaitAsync(cancellationToken);

    // Helpers store Docker Hub under its v1 URL and other registries under the bare host.
    private static string ServerUrlFor(string host) => host == ImageReference.DockerHub ? DockerHubKey : host;

    /// <summary>One <c>auths</c> entry of a Docker config (a file, or a Kubernetes pull Secret): null when it holds no login.</summary>
    public static Credential? ReadEntry(JsonElement e, string source)
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
