using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;

namespace Xpkg.Registry.Http;

/// <summary>
/// Sends one logical request to one endpoint: adds headers, <c>ns</c> and auth; answers 401 challenges;
/// follows redirects by hand (no <c>Authorization</c> to another host); retries connection errors, 408,
/// 429 (<c>Retry-After</c>) and 5xx with bounded backoff; switches a loopback or insecure endpoint to plain
/// HTTP after a TLS handshake failure. Returns the response for the caller to judge its status.
/// </summary>
internal sealed class RegistryTransport : IDisposable
{
    private const int MaxRedirects = 10;

    private readonly RegistryClientOptions _options;
    private readonly HttpClientPool _pool;
    private readonly ConcurrentDictionary<string, bool> _plainHttp = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _warningsNoted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _anonymousNoted = new(StringComparer.OrdinalIgnoreCase);

    public RegistryTransport(RegistryClientOptions options)
    {
        _options = options;
        _pool = new HttpClientPool(options.HostNameOverride);
        Auth = new Authenticator(options.Credentials ?? CredentialFiles.Load(), tls => _pool.Get(tls), options.Log);
    }

    public Authenticator Auth { get; }

    public ExplainLog Log => _options.Log;

    public RegistryClientOptions Options => _options;

    /// <summary>The endpoint as it is spoken to now: plain HTTP once its TLS handshake failed and that is allowed.</summary>
    public RegistryEndpoint Effective(RegistryEndpoint endpoint)
        => _plainHttp.ContainsKey(endpoint.Root.ToString()) ? endpoint.AsPlainHttp() : endpoint;

    public async Task<HttpResponseMessage> SendAsync(RegistryEndpoint configured, RegistryRequest request, CancellationToken cancellationToken)
    {
        if (_options.Offline)
        {
            throw new XpkgException($"offline: not contacting {configured.Authority} for {request.What}",
                "the cache does not have it; run without --offline (or with another --policy), or bring it in with `xpkg load`");
        }

        int attempt = 0;
        int authRounds = 0;
        while (true)
        {
            var endpoint = Effective(configured);
            attempt++;
            HttpResponseMessage response;
            bool sentAuth;
            try
            {
                (response, sentAuth) = await SendFollowingRedirectsAsync(endpoint, request, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException
                || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                var kind = FailureClassifier.Classify(e);
                if (kind == FailureKind.NotTls && endpoint.AllowHttpFallback && !endpoint.IsPlainHttp)
                {
                    _plainHttp[configured.Root.ToString()] = true;
                    Log.Add("fallback", $"{endpoint.Authority}: TLS handshake failed ({e.InnerException?.Message ?? e.Message}); using plain HTTP ({(LoopbackHost.IsLoopback(endpoint.Authority) ? "loopback host" : "--insecure-registry")})");
                    attempt--;
                    continue;
                }

                if (FailureClassifier.IsRetriable(kind) && request.MaySendAgain && attempt < _options.MaxAttempts)
                {
                    var delay = Backoff(attempt);
                    Log.Add("retry", $"{request.What} at {endpoint.Authority}: {kind} ({e.Message}); attempt {attempt + 1} of {_options.MaxAttempts} in {delay.TotalMilliseconds:0} ms");
                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                throw new RegistryConnectionException(RegistryErrors.FromFailure(e, endpoint));
            }

            NoteWarnings(response, endpoint);

            // Two rounds: the second 401 may ask for a wider scope than the first token had.
            if (response.StatusCode == HttpStatusCode.Unauthorized && authRounds < 2 && request.MaySendAgain)
            {
                authRounds++;
                bool retry = await Auth.OnUnauthorizedAsync(endpoint, request.Repository, response, request.Scopes, sentAuth, cancellationToken).ConfigureAwait(false);
                if (retry)
                {
                    response.Dispose();
                    attempt--;
                    continue;
                }
            }

            if (response.IsSuccessStatusCode && !sentAuth && _anonymousNoted.TryAdd(endpoint.Authority, true))
            {
                Log.Add("auth", $"{endpoint.Authority}: no authentication asked for");
            }

            if (IsRetriableStatus(response.StatusCode) && request.MaySendAgain && attempt < _options.MaxAttempts)
            {
                var delay = RetryAfter(response) ?? Backoff(attempt);
                Log.Add("retry", $"{request.What} at {endpoint.Authority}: {(int)response.StatusCode} {response.ReasonPhrase}; attempt {attempt + 1} of {_options.MaxAttempts} in {delay.TotalMilliseconds:0} ms");
                response.Dispose();
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                continue;
            }

            return response;
        }
    }

    private async Task<(HttpResponseMessage, bool SentAuth)> SendFollowingRedirectsAsync(RegistryEndpoint endpoint, RegistryRequest request, CancellationToken cancellationToken)
    {
        var client = _pool.Get(endpoint.Tls, endpoint.DialTimeout);
        Uri uri = BuildUri(endpoint, request);
        var method = request.Method;
        bool withBody = true;
        for (int hop = 0; ; hop++)
        {
            using var message = new HttpRequestMessage(method, uri);
            message.Headers.UserAgent.ParseAdd(_options.UserAgent);
            foreach (string a in request.Accept)
            {
                message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(a));
            }

            foreach (var (name, values) in endpoint.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, values);
            }

            foreach (var (name, value) in request.Headers)
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }

            // Credentials go only to the endpoint itself, never to the host a redirect points at.
            bool sameHost = string.Equals(uri.Authority, endpoint.Root.Authority, StringComparison.OrdinalIgnoreCase);
            bool sentAuth = false;
            if (sameHost && await Auth.AuthorizationAsync(endpoint, request.Repository, request.Scopes, cancellationToken).ConfigureAwait(false) is { } auth)
            {
                message.Headers.Authorization = auth;
                sentAuth = true;
            }

            if (withBody && request.Content?.Invoke() is { } content)
            {
                message.Content = content;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            if (request.ResponseTimeout)
            {
                timeout.CancelAfter(_options.IdleTimeout);
            }

            HttpResponseMessage response;
            try
            {
                response = await client.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException($"no response within {_options.IdleTimeout.TotalSeconds:0} s");
            }

            if (!IsRedirect(response.StatusCode) || response.Headers.Location is null)
            {
                return (response, sentAuth);
            }

            if (hop >= MaxRedirects)
            {
                response.Dispose();
                throw new XpkgException($"{request.What}: more than {MaxRedirects} redirects from {endpoint.Authority}");
            }

            var next = new Uri(uri, response.Headers.Location);
            Log.Add("redirect", $"{request.What}: {(int)response.StatusCode} to {next.GetLeftPart(UriPartial.Path)}"
                + (string.Equals(next.Authority, uri.Authority, StringComparison.OrdinalIgnoreCase) ? "" : " (another host: no Authorization sent)"));
            response.Dispose();
            if (response.StatusCode == HttpStatusCode.SeeOther)
            {
                method = HttpMethod.Get;
                withBody = false;
            }
            else if (request.Content is not null && !request.MaySendAgain)
            {
                throw new XpkgException($"{request.What}: {endpoint.Authority} redirected an upload whose body cannot be sent twice");
            }

            uri = next;
            if (!string.Equals(next.Authority, endpoint.Root.Authority, StringComparison.OrdinalIgnoreCase))
            {
                client = _pool.Get(TlsSettings.Default with { CaFiles = endpoint.Tls.CaFiles }, endpoint.DialTimeout);
            }
        }
    }

    // Registries send "Warning: 299 - \"text\"" for deprecations and quotas; show each text once.
    private void NoteWarnings(HttpResponseMessage response, RegistryEndpoint endpoint)
    {
        foreach (var w in response.Headers.Warning)
        {
            if (w.Code == 299 && _warningsNoted.TryAdd(w.Text, true))
            {
                Log.Add("warning", $"{endpoint.Authority}: {w.Text.Trim('"')}");
            }
        }
    }

    internal static Uri BuildUri(RegistryEndpoint endpoint, RegistryRequest request)
    {
        var baseUri = request.AbsoluteUri ?? new Uri(endpoint.Root.ToString().TrimEnd('/') + "/" + request.Path);
        var query = new List<string>();
        if (baseUri.Query.Length > 1)
        {
            query.Add(baseUri.Query[1..]);
        }

        if (!string.IsNullOrEmpty(request.Query))
        {
            query.Add(request.Query);
        }

        // Mirrors learn which registry a request is for from ns (containerd's convention).
        bool sameHost = string.Equals(baseUri.Authority, endpoint.Root.Authority, StringComparison.OrdinalIgnoreCase);
        if (endpoint.IsMirror && sameHost && !query.Any(q => q.StartsWith("ns=", StringComparison.Ordinal) || q.Contains("&ns=", StringComparison.Ordinal)))
        {
            query.Add("ns=" + Uri.EscapeDataString(endpoint.Namespace));
        }

        // A Location from a registry we fell back to plain HTTP for may still say https; keep our scheme.
        var b = new UriBuilder(baseUri) { Query = string.Join('&', query) };
        if (sameHost && request.AbsoluteUri is not null)
        {
            b.Scheme = endpoint.Root.Scheme;
            b.Port = endpoint.Root.Port;
        }

        return b.Uri;
    }

    private static bool IsRedirect(HttpStatusCode s) => (int)s is 301 or 302 or 303 or 307 or 308;

    private static bool IsRetriableStatus(HttpStatusCode s) => s is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)s >= 500;

    private TimeSpan Backoff(int attempt)
    {
        double ms = _options.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(ms * (0.9 + (Random.Shared.NextDouble() * 0.2)));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var ra = response.Headers.RetryAfter;
        TimeSpan? delay = ra?.Delta ?? (ra?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (delay is null)
        {
            return null;
        }

        return delay < TimeSpan.Zero ? TimeSpan.Zero : delay > _options.MaxRetryAfter ? _options.MaxRetryAfter : delay;
    }

    public void Dispose() => _pool.Dispose();
}
