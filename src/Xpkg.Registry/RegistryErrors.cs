using System.Net;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

/// <summary>A registry's non-success answer, with the distribution error codes from its body.</summary>
public sealed class RegistryResponseException : XpkgException
{
    public RegistryResponseException(string message, HttpStatusCode status, IReadOnlyList<string> codes, string? hint = null)
        : base(message, hint)
    {
        StatusCode = status;
        Codes = codes;
    }

    public HttpStatusCode StatusCode { get; }

    public IReadOnlyList<string> Codes { get; }
}

/// <summary>Turns transport failures and registry answers into one-line errors with the fix as a hint.</summary>
internal static class RegistryErrors
{
    public static XpkgException FromFailure(Exception e, RegistryEndpoint endpoint)
    {
        string host = endpoint.Authority;
        return FailureClassifier.Classify(e) switch
        {
            FailureKind.DnsFailure => new XpkgException($"cannot resolve registry host {LoopbackHost.HostOf(host)}: no such host",
                "check the spelling of the registry in the reference, DNS, or configure a reachable mirror with --hosts-dir", inner: e),
            FailureKind.ConnectionRefused => new XpkgException($"connection refused by {host} ({endpoint.Root.Scheme})",
                $"is the registry running and listening on {host}? If it uses another port or scheme, say so in the reference or in hosts.toml", inner: e),
            FailureKind.UntrustedCertificate => new XpkgException($"the TLS certificate of {host} does not verify (unknown certificate authority or wrong name)",
                $"trust its CA with --ca-file /path/to/ca.pem, or in {HostsDirFor(host)}/hosts.toml:\n"
                + $"  server = \"https://{host}\"\n  [host.\"https://{host}\"]\n    ca = \"/path/to/ca.pem\"\n"
                + $"(or skip verification with --insecure-registry {host})", inner: e),
            FailureKind.NotTls => new XpkgException($"{host} did not answer TLS to an HTTPS request (it seems to speak plain HTTP)",
                $"allow plain HTTP for it with --insecure-registry {host}, or in {HostsDirFor(host)}/hosts.toml:\n  server = \"http://{host}\"\n  [host.\"http://{host}\"]\n    capabilities = [\"pull\", \"resolve\", \"push\"]", inner: e),
            FailureKind.Timeout => new XpkgException($"{host} did not answer in time", "check that the registry is up; a stalled connection was given up", inner: e),
            _ when Innermost(e) is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.NetworkUnreachable or System.Net.Sockets.SocketError.HostUnreachable or System.Net.Sockets.SocketError.NetworkDown } =>
                new XpkgException($"request to {host} failed: {Innermost(e).Message}",
                    "there is no route to the registry from here; with the image in the cache, --policy IfNotPresent or --offline needs no network", inner: e),
            _ => new XpkgException($"request to {host} failed: {Innermost(e).Message}",
                endpoint.Tls.ClientCertificates.Count == 0 && !endpoint.IsPlainHttp ? "if the registry requires a client certificate, configure one with `client` in hosts.toml or client.cert/client.key in its certs.d directory" : null, inner: e),
        };
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e;
    }

    private static string HostsDirFor(string host) => "<hosts-dir>/" + host;

    /// <summary>Reads the error codes from a failed response (bounded) and builds the exception.</summary>
    /// <param name="login">The login the request was sent with, if any: named (never its secret) in a 401's hint.</param>
    public static async Task<RegistryResponseException> FromResponseAsync(HttpResponseMessage response, RegistryEndpoint endpoint, string what, Credential? login, CancellationToken cancellationToken)
    {
        var (codes, messages, text) = await ReadErrorsAsync(response, cancellationToken).ConfigureAwait(false);
        string host = endpoint.Authority;
        if (response.StatusCode == HttpStatusCode.BadRequest && text.Contains("HTTP request to an HTTPS server", StringComparison.OrdinalIgnoreCase))
        {
            return new RegistryResponseException($"{host} speaks HTTPS, but was asked over plain HTTP", response.StatusCode, codes,
                $"use https://{host} in hosts.toml or the CRI mirrors (and --ca-file for a private CA) instead of http://");
        }

        string detail = messages.Count > 0 ? ": " + string.Join("; ", messages) : "";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized when login is null => new RegistryResponseException(
                $"{host} requires authentication for {what}", response.StatusCode, codes,
                $"log in: docker login {host} (Docker's config.json) or podman/skopeo login {host} (containers auth.json)"),
            HttpStatusCode.Unauthorized => new RegistryResponseException(
                $"{host} rejected the credentials for {what}", response.StatusCode, codes,
                $"check the username and password of the login used, {login.Source}"),
            HttpStatusCode.Forbidden => new RegistryResponseException(
                $"{host} denied access to {what}{detail}", response.StatusCode, codes,
                login is not null ? "the account lacks permission for this repository" : $"log in to {host}: the repository may be private"),
            HttpStatusCode.TooManyRequests => new RegistryResponseException(
                $"{host} keeps answering 429 Too Many Requests for {what}", response.StatusCode, codes, "wait and try again, or use a mirror"),
            _ => new RegistryResponseException($"{host} answered {(int)response.StatusCode} {response.ReasonPhrase} for {what}{detail}", response.StatusCode, codes),
        };
    }

    public static async Task<(IReadOnlyList<string> Codes, IReadOnlyList<string> Messages, string Text)> ReadErrorsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var codes = new List<string>();
        var messages = new List<string>();
        string text = "";
        try
        {
            byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, 64 * 1024, "error body", cancellationToken).ConfigureAwait(false);
            text = System.Text.Encoding.UTF8.GetString(body);
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array)
            {
                foreach (var err in errors.EnumerateArray())
                {
                    if (err.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                    {
                        codes.Add(c.GetString()!);
                    }

                    if (err.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String)
                    {
                        messages.Add(m.GetString()!);
                    }
                }
            }
        }
        catch (Exception e) when (e is JsonException or XpkgException or IOException or HttpRequestException)
        {
            // Not JSON or not readable: the status code has to do.
        }

        return (codes, messages, text);
    }
}

/// <summary>No answer from an endpoint at all: DNS, refused, TLS, timeout. Mirrors fall through on it.</summary>
public sealed class RegistryConnectionException : XpkgException
{
    internal RegistryConnectionException(XpkgException described)
        : base(described.Message, described.Hint, described.ExitCode, described.InnerException)
    {
    }
}
