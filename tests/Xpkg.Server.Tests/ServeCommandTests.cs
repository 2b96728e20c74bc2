using System.Net;
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
            using (var client = new HttpClient(TestCertificates.TrustingOnly(serve.CaFile!)) { BaseAddress = new Uri(serve.Address) })
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
}
