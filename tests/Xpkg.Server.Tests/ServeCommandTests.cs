using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>The <c>xpkg serve</c> command as a process: TLS auto, JSON access log, graceful stop on SIGTERM, reuse on restart.</summary>
public sealed class ServeCommandTests : IDisposable
{
    private readonly string _cache = Path.Combine(Path.GetTempPath(), "xpkg-serve-tests-" + Guid.NewGuid().ToString("N"));

    public void Dispose() => Directory.Delete(_cache, recursive: true);

    [Fact]
    public async Task ServeTlsAuto_AnswersOverTrustedTls_StopsOnSigterm_AndReusesItsCertificates()
    {
        string serverCert = Path.Combine(_cache, "tls", "server.crt");
        string firstCert;
        await using (var serve = await ServeProcess.StartAsync(_cache, "--addr", "127.0.0.1:0", "--tls", "auto", "--log-format", "json"))
        {
            Assert.StartsWith("https://127.0.0.1:", serve.Address, StringComparison.Ordinal);
            Assert.Equal(Path.Combine(_cache, "tls", "ca.crt"), serve.CaFile);
            using (var client = TrustingOnly(serve.CaFile!, serve.Address))
            using (var response = await client.GetAsync("/v2/"))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }

            int exit = await serve.StopAsync();
            Assert.Equal(0, exit);
            Assert.Contains("\"path\":\"/v2/\"", serve.Stderr, StringComparison.Ordinal);
            Assert.Contains("shutting down", serve.Stderr, StringComparison.Ordinal);
            firstCert = await File.ReadAllTextAsync(serverCert);
        }

        await using (var again = await ServeProcess.StartAsync(_cache, "--addr", "127.0.0.1:0", "--tls", "auto", "--log-format", "none"))
        {
            Assert.Equal(firstCert, await File.ReadAllTextAsync(serverCert));
            int againExit = await again.StopAsync();
            Assert.True(againExit == 0, $"exit {againExit}: {again.Stderr}");
        }
    }

    [Fact]
    public async Task BadOptions_FailWithAnErrorLine()
    {
        var (exit, stderr) = await ServeProcess.RunToEndAsync(_cache, "--addr", "nonsense");
        Assert.Equal(2, exit);
        Assert.StartsWith("error: invalid address", stderr, StringComparison.Ordinal);

        (exit, stderr) = await ServeProcess.RunToEndAsync(_cache, "--addr", "127.0.0.1:0", "--auth-pull");
        Assert.Equal(2, exit);
        Assert.Contains("--auth-pull needs --htpasswd", stderr, StringComparison.Ordinal);
    }

    private static HttpClient TrustingOnly(string caFile, string address)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(cert));
                },
            },
        };
        return new HttpClient(handler) { BaseAddress = new Uri(address) };
    }
}
