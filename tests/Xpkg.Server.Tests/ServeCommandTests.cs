using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;

namespace Xpkg.Server.Tests;

/// <summary>The <c>xpkg serve</c> command as a process: TLS auto, JSON access log, graceful stop on SIGTERM, reuse on restart.</summary>
public sealed partial class ServeCommandTests : IDisposable
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
            Assert.Equal(0, await again.StopAsync());
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

    private sealed partial class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Task<string> _stderr;

        private ServeProcess(Process process, string address, string? caFile)
        {
            _process = process;
            Address = address;
            CaFile = caFile;
            _stderr = process.StandardError.ReadToEndAsync();
        }

        public string Address { get; }

        public string? CaFile { get; }

        public string Stderr { get; private set; } = "";

        public static async Task<ServeProcess> StartAsync(string cache, params string[] arguments)
        {
            var process = Process.Start(Start(cache, arguments))!;
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            string? address = null;
            string? ca = null;
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ServingLine().Match(line) is { Success: true } m)
                {
                    address = m.Groups[1].Value;
                    if (!arguments.Contains("--tls"))
                    {
                        break;
                    }
                }
                else if (line.StartsWith("CA certificate for clients: ", StringComparison.Ordinal))
                {
                    ca = line["CA certificate for clients: ".Length..];
                    break;
                }
            }

            if (address is null)
            {
                process.Kill();
                throw new Xunit.Sdk.XunitException("xpkg serve did not report its address: " + await process.StandardError.ReadToEndAsync());
            }

            return new ServeProcess(process, address, ca);
        }

        public static async Task<(int Exit, string Stderr)> RunToEndAsync(string cache, params string[] arguments)
        {
            using var process = Process.Start(Start(cache, arguments))!;
            string stderr = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, stderr);
        }

        /// <summary>SIGTERM, as a service manager would send, then the exit status.</summary>
        public async Task<int> StopAsync()
        {
            await ExternalTool.RunAsync("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await _process.WaitForExitAsync(timeout.Token);
            Stderr = await _stderr;
            return _process.ExitCode;
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private static ProcessStartInfo Start(string cache, string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xpkg.dll"));
            start.ArgumentList.Add("serve");
            start.ArgumentList.Add("--cache-dir");
            start.ArgumentList.Add(cache);
            foreach (string a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            return start;
        }

        [GeneratedRegex(@"^Serving .* at (\S+/) ")]
        private static partial Regex ServingLine();
    }
}
