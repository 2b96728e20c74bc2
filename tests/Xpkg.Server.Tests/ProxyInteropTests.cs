using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>Debian's docker-registry in pull-through proxy mode with <c>xpkg serve</c> as its upstream.</summary>
public sealed class ProxyInteropTests : IAsyncLifetime
{
    private readonly RegistryFixture _registry = new();

    public Task InitializeAsync() => _registry.InitializeAsync();

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task DockerRegistryProxy_PullsThroughUs_WithTheSameDigests()
    {
        string layout = Path.Combine(_registry.Directory, "layout");
        var (tiny, multi) = TestLayout.Write(layout);
        string upstream = _registry.Server.BaseAddress.Authority;
        await Run.ToolAsync("skopeo", "copy", "--all", "--preserve-digests", "--dest-tls-verify=false", $"oci:{layout}:multi", $"docker://{upstream}/proxied/multi:latest");

        int port = FreePort();
        string dir = Path.Combine(_registry.Directory, "proxy");
        Directory.CreateDirectory(dir);
        string config = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(config, $"""
            version: 0.1
            log:
              level: warn
              accesslog:
                disabled: true
            storage:
              filesystem:
                rootdirectory: {dir}/data
            http:
              addr: 127.0.0.1:{port}
            proxy:
              remoteurl: {_registry.Server.BaseAddress.GetLeftPart(UriPartial.Authority)}
            """);
        using var proxy = StartDockerRegistry(config);
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/") };
            await WaitUntilServingAsync(client);

            string raw = await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://127.0.0.1:{port}/proxied/multi:latest");
            Assert.Equal(multi, Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));
            string pulled = Path.Combine(_registry.Directory, "pulled");
            await Run.ToolAsync("skopeo", "copy", "--all", "--src-tls-verify=false", $"docker://127.0.0.1:{port}/proxied/multi:latest", $"oci:{pulled}:multi");
            Assert.True(File.Exists(Path.Combine(pulled, "blobs", "sha256", tiny.Encoded)));
        }
        finally
        {
            proxy.Kill();
            await proxy.WaitForExitAsync();
        }
    }

    private static Process StartDockerRegistry(string config)
    {
        var start = new ProcessStartInfo("docker-registry") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("serve");
        start.ArgumentList.Add(config);
        try
        {
            var process = Process.Start(start)!;
            process.OutputDataReceived += (_, _) => { };
            process.ErrorDataReceived += (_, _) => { };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            return process;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"docker-registry is needed by this test and is not installed ({e.Message}); install it with apt-get install docker-registry");
        }
    }

    private static async Task WaitUntilServingAsync(HttpClient client)
    {
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var r = await client.GetAsync("/v2/");
                if (r.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("docker-registry did not start");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
