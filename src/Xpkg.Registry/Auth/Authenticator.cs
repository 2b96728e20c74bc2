using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry.Auth;

/// <summary>
/// Answers registry challenges: Basic with the repository's credentials, or a Bearer token from the challenge's
/// realm (OAuth2 POST form first when there are credentials, GET otherwise or as the fallback), cached per
/// realm/service/scope and login. Remembers each host's challenge (the scheme and realm, never a credential) so
/// later requests send a token without a 401 first. Credentials are looked up per repository, since a login may
/// be for <c>host/ns</c> only: nothing here hands one repository's login to another.
/// </summary>
public sealed class Authenticator
{
    private const string ClientId = "xpkg";

    private readonly ICredentialProvider _credentials;
    private readonly Func<TlsSettings, HttpClient> _clients;
    private readonly TokenCache _tokens;
    private readonly ExplainLog _log;
    private readonly ConcurrentDictionary<string, AuthChallenge> _challenges = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, Lazy<Task<Credential?>>> _credentialLookups = new(StringComparer.OrdinalIgnoreCase);
    private readonly SemaphoreSlim _fetchLock = new(1, 1);

    public Authenticator(ICredentialProvider credentials, Func<TlsSettings, HttpClient> clients, ExplainLog log, TokenCache? tokens = null)
    {
        _credentials = credentials;
        _clients = clients;
        _log = log;
        _tokens = tokens ?? new TokenCache();
    }

    /// <summary>The login used for <paramref name="repository"/> at the endpoint, or null (for the "rejected" versus "required" hint).</summary>
    public Task<Credential?> CredentialForAsync(RegistryEndpoint endpoint, string? repository, CancellationToken cancellationToken)
        => CredentialAsync(endpoint, repository, cancellationToken);

    /// <summary>
    /// True when both repositories log in the same way (the same login, or none): a cross-repository mount sends one
    /// Authorization for both, so it may only be tried then, and the source is then read with its own login.
    /// </summary>
    public async Task<bool> SameLoginAsync(RegistryEndpoint endpoint, string repository, string otherRepository, CancellationToken cancellationToken)
        => ReferenceEquals(await CredentialAsync(endpoint, repository, cancellationToken).ConfigureAwait(false),
            await CredentialAsync(endpoint, otherRepository, cancellationToken).ConfigureAwait(false));

    /// <summary>The Authorization header for a request about <paramref name="repository"/>, when the endpoint's challenge is known.</summary>
    public async Task<AuthenticationHeaderValue?> AuthorizationAsync(RegistryEndpoint endpoint, string? repository, ScopeSet scopes, CancellationToken cancellationToken)
    {
        if (!_challenges.TryGetValue(endpoint.Authority, out var challenge))
        {
            return null;
        }

        var cred = await CredentialAsync(endpoint, repository, cancellationToken).ConfigureAwait(false);
        if (challenge.IsBasic)
        {
            return cred is { HasUsernamePassword: true } ? BasicHeader(cred) : null;
        }

        if (cred?.RegistryToken is { } registryToken)
        {
            return new AuthenticationHeaderValue("Bearer", registryToken);
        }

        string? token = _tokens.Get(challenge.Realm!, challenge.Service, cred, scopes)
            ?? await FetchTokenAsync(endpoint, challenge, scopes, cred, cancellationToken).ConfigureAwait(false);
        return new AuthenticationHeaderValue("Bearer", token);
    }

    /// <summary>
    /// Learns from a 401. Returns true when a retry can succeed (a new or wider token, or Basic credentials
    /// not yet sent); false when the registry refused what we had.
    /// </summary>
    public async Task<bool> OnUnauthorizedAsync(RegistryEndpoint endpoint, string? repository, HttpResponseMessage response, ScopeSet scopes, bool sentAuthorization, CancellationToken cancellationToken)
    {
        var challenges = AuthChallenge.Parse(response.Headers.WwwAuthenticate.Select(h => h.ToString()));
        var challenge = challenges.FirstOrDefault(c => c.IsBearer && c.Realm is not null) ?? challenges.FirstOrDefault(c => c.IsBasic);
        if (challenge is null)
        {
            _log.Add("auth", $"{endpoint.Authority} answered 401 without a Bearer or Basic challenge");
            return false;
        }

        bool known = _challenges.TryGetValue(endpoint.Authority, out var previous);
        _challenges[endpoint.Authority] = challenge;
        var cred = await CredentialAsync(endpoint, repository, cancellationToken).ConfigureAwait(false);
        if (challenge.IsBasic)
        {
            _log.Add("auth", $"{endpoint.Authority} asks for Basic auth; " + (cred is null ? "no credentials found" : $"using credentials from {cred.Source}"));
            return cred is { HasUsernamePassword: true } && !(sentAuthorization && known && previous!.IsBasic);
        }

        // The server may ask for more than we knew (e.g. pull on a mount's source): ask for the union.
        var wanted = scopes.Union(new ScopeSet(challenge.Scopes));
        if (sentAuthorization && _tokens.Get(challenge.Realm!, challenge.Service, cred, wanted) is not null)
        {
            return false; // a token for exactly this was just refused
        }

        await FetchTokenAsync(endpoint, challenge, wanted, cred, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<string> FetchTokenAsync(RegistryEndpoint endpoint, AuthChallenge challenge, ScopeSet scopes, Credential? cred, CancellationToken cancellationToken)
    {
        await _fetchLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_tokens.Get(challenge.Realm!, challenge.Service, cred, scopes) is { } cached)
            {
                return cached;
            }

            if (!Uri.TryCreate(challenge.Realm, UriKind.Absolute, out var realm) || (realm.Scheme != Uri.UriSchemeHttps && realm.Scheme != Uri.UriSchemeHttp))
            {
                throw new XpkgException($"{endpoint.Authority} names an unusable token realm \"{challenge.Realm}\"");
            }

            var client = _clients(endpoint.Tls);
            (string token, TimeSpan lifetime) = cred is null
                ? await GetTokenAsync(client, realm, challenge, scopes, null, cancellationToken).ConfigureAwait(false)
                : await PostTokenAsync(client, realm, challenge, scopes, cred, cancellationToken).ConfigureAwait(false)
                    ?? await GetTokenAsync(client, realm, challenge, scopes, cred, cancellationToken).ConfigureAwait(false);
            _tokens.Put(challenge.Realm!, challenge.Service, cred, scopes, token, lifetime);
            _log.Add("auth", $"bearer token from {realm.GetLeftPart(UriPartial.Path)} for \"{scopes}\" ({(cred is null ? "anonymous" : "credentials from " + cred.Source)}), valid {lifetime.TotalSeconds:0} s");
            return token;
        }
        finally
        {
            _fetchLock.Release();
        }
    }

    // OAuth2 form (distribution's docs/spec/auth/oauth.md). Null means "not supported here, use GET".
    private async Task<(string, TimeSpan)?> PostTokenAsync(HttpClient client, Uri realm, AuthChallenge challenge, ScopeSet scopes, Credential cred, CancellationToken cancellationToken)
    {
        var form = new List<KeyValuePair<string, string>> { new("client_id", ClientId) };
        if (challenge.Service is not null)
        {
            form.Add(new("service", challenge.Service));
        }

        if (!scopes.IsEmpty)
        {
            form.Add(new("scope", scopes.ToString()));
        }

        if (cred.IdentityToken is not null)
        {
            form.Add(new("grant_type", "refresh_token"));
            form.Add(new("refresh_token", cred.IdentityToken));
        }
        else if (cred.HasUsernamePassword)
        {
            form.Add(new("grant_type", "password"));
            form.Add(new("username", cred.Username!));
            form.Add(new("password", cred.Password!));
        }
        else
        {
            return null;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, realm) { Content = new FormUrlEncodedContent(form) };
        using var response = await SendTokenRequestAsync(client, request, realm, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.BadRequest)
        {
            _log.Add("auth", $"token POST answered {(int)response.StatusCode}; falling back to GET");
            return null;
        }

        return await ReadTokenAsync(response, realm, cred, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string, TimeSpan)> GetTokenAsync(HttpClient client, Uri realm, AuthChallenge challenge, ScopeSet scopes, Credential? cred, CancellationToken cancellationToken)
    {
        var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] : "");
        void Add(string k, string v) => query.Append(query.Length == 0 ? "" : "&").Append(k).Append('=').Append(Uri.EscapeDataString(v));
        if (challenge.Service is not null)
        {
            Add("service", challenge.Service);
        }

        foreach (string s in scopes.ToStrings())
        {
            Add("scope", s);
        }

        var uri = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        if (cred is { HasUsernamePassword: true })
        {
            request.Headers.Authorization = BasicHeader(cred);
        }

        using var response = await SendTokenRequestAsync(client, request, realm, cancellationToken).ConfigureAwait(false);
        return await ReadTokenAsync(response, realm, cred, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<(string, TimeSpan)> ReadTokenAsync(HttpResponseMessage response, Uri realm, Credential? cred, CancellationToken cancellationToken)
    {
        string where = realm.GetLeftPart(UriPartial.Path);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            throw cred is null
                ? new XpkgException($"the token service {where} refused an anonymous token ({(int)response.StatusCode})", $"log in to {realm.Authority}: docker login, or podman/skopeo login (containers auth.json)")
                : new XpkgException($"the token service {where} rejected the credentials from {cred.Source} ({(int)response.StatusCode})", "check the username and password (or token) for this registry");
        }

        if (!response.IsSuccessStatusCode)
        {
            throw new XpkgException($"the token service {where} answered {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, 1024 * 1024, "token response", cancellationToken).ConfigureAwait(false);
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            string? token = (root.TryGetProperty("token", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null)
                ?? (root.TryGetProperty("access_token", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null);
            if (string.IsNullOrEmpty(token))
            {
                throw new XpkgException($"the token service {where} returned no token");
            }

            int seconds = root.TryGetProperty("expires_in", out var e) && e.TryGetInt32(out int s) ? s : 60;
            return (token, TimeSpan.FromSeconds(Math.Max(60, seconds)));
        }
        catch (JsonException)
        {
            throw new XpkgException($"the token service {where} returned something that is not JSON");
        }
    }

    // Token services get a fixed time limit; a hung one must not hang the pull.
    private static async Task<HttpResponseMessage> SendTokenRequestAsync(HttpClient client, HttpRequestMessage request, Uri realm, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new XpkgException($"the token service {realm.GetLeftPart(UriPartial.Path)} did not answer within 60 s", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new XpkgException($"cannot reach the token service {realm.GetLeftPart(UriPartial.Path)}: {e.Message}", inner: e);
        }
    }

    private static AuthenticationHeaderValue BasicHeader(Credential cred)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(cred.Username + ":" + cred.Password)));

    private Task<Credential?> CredentialAsync(RegistryEndpoint endpoint, string? repository, CancellationToken cancellationToken)
    {
        if (endpoint.ConfiguredCredential is { } configured)
        {
            return Task.FromResult<Credential?>(configured);
        }

        // One lookup per host and repository, shared by parallel requests, so it must not die with the first
        // caller's token (credential helpers have their own time limit). The registry's own server is looked up by
        // the name users log in with (docker.io, not registry-1.docker.io); a mirror by its own host.
        string host = endpoint.IsMirror ? endpoint.Authority : endpoint.Namespace;
        string what = string.IsNullOrEmpty(repository) ? host : host + "/" + repository;
        return _credentialLookups.GetOrAdd(what, _ => new Lazy<Task<Credential?>>(async () =>
        {
            var found = await _credentials.GetAsync(host, repository, CancellationToken.None).ConfigureAwait(false);
            _log.Add("auth", found is null ? $"no login for {what}" : $"login for {what}: {found.Source}");
            return found;
        })).Value.WaitAsync(cancellationToken);
    }
}
