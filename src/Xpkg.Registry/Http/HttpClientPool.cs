using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Xpkg.Oci;
using Xpkg.Registry.Hosts;

namespace Xpkg.Registry.Http;

/// <summary>
/// One <see cref="HttpClient"/> (one connection pool) per distinct TLS configuration. Redirects are followed
/// by hand so <c>Authorization</c> can be dropped when the host changes; nothing is decompressed, so digests
/// are of the bytes the registry stored.
/// </summary>
internal sealed class HttpClientPool : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<HttpClient>> _clients = new(StringComparer.Ordinal);
    private readonly Func<string, IPAddress?>? _hostNameOverride;

    public HttpClientPool(Func<string, IPAddress?>? hostNameOverride)
    {
        _hostNameOverride = hostNameOverride;
    }

    public HttpClient Get(TlsSettings tls, TimeSpan? dialTimeout = null)
        => _clients.GetOrAdd(tls.CacheKey + "|" + dialTimeout, _ => new Lazy<HttpClient>(() => Create(tls, dialTimeout))).Value;

    private HttpClient Create(TlsSettings tls, TimeSpan? dialTimeout)
    {
        var extraRoots = LoadCertificates(tls.CaFiles);
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = dialTimeout ?? TimeSpan.FromSeconds(30),
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            MaxConnectionsPerServer = 16,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) => Validate(tls.SkipVerify, extraRoots, cert, errors),
                ClientCertificates = LoadClientCertificates(tls.ClientCertificates),
            },
        };
        if (_hostNameOverride is not null)
        {
            var map = _hostNameOverride;
            handler.ConnectCallback = async (ctx, ct) =>
            {
                var address = map(ctx.DnsEndPoint.Host);
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    if (address is not null)
                    {
                        await socket.ConnectAsync(new IPEndPoint(address, ctx.DnsEndPoint.Port), ct).ConfigureAwait(false);
                    }
                    else
                    {
                        await socket.ConnectAsync(ctx.DnsEndPoint, ct).ConfigureAwait(false);
                    }

                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    private static bool Validate(bool skipVerify, X509Certificate2Collection extraRoots, X509Certificate? cert, SslPolicyErrors errors)
    {
        if (skipVerify || errors == SslPolicyErrors.None)
        {
            return true;
        }

        // Only an unknown issuer can be cured by the user's CA files; a wrong name or a missing certificate cannot.
        if (errors != SslPolicyErrors.RemoteCertificateChainErrors || extraRoots.Count == 0 || cert is null)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(extraRoots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(cert);
        return chain.Build(leaf);
    }

    private static X509Certificate2Collection LoadCertificates(IEnumerable<string> files)
    {
        var result = new X509Certificate2Collection();
        foreach (string f in files)
        {
            try
            {
                result.ImportFromPemFile(f);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidInputException($"cannot read CA file {f}: {e.Message}", "CA files must be PEM certificates");
            }
        }

        return result;
    }

    private static X509CertificateCollection? LoadClientCertificates(IReadOnlyList<ClientCertificateFiles> pairs)
    {
        if (pairs.Count == 0)
        {
            return null;
        }

        var result = new X509CertificateCollection();
        foreach (var p in pairs)
        {
            try
            {
                result.Add(X509Certificate2.CreateFromPemFile(p.CertificateFile, p.KeyFile ?? p.CertificateFile));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException)
            {
                throw new InvalidInputException($"cannot load client certificate {p.CertificateFile}: {e.Message}", "client certificates are PEM files with their key beside them");
            }
        }

        return result;
    }

    public void Dispose()
    {
        foreach (var c in _clients.Values.Where(c => c.IsValueCreated))
        {
            c.Value.Dispose();
        }
    }
}
