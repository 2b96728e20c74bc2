using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Xpkg.Install.Tests;

/// <summary>Debian's <c>docker-registry</c> on 127.0.0.1 (plain HTTP), stopped by its own process id.</summary>
internal sealed class LocalRegistry : IDisposable
{
    public const string Binary = "/usr/bin/docker-registry";

    private readonly Process _process;

    private LocalRegistry(Process process, int port)
    {
        _process = process;
        Authority = $"127.0.0.1:{port}";
    }

    public string Authority { get; }

    public static bool Available => File.Exists(Binary);

    public static async Task<LocalRegistry> StartAsync(string dir)
    {
        Directory.CreateDirectory(dir);
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        string config = Path.Combine(dir, "config.yml");
        await File.WriteAllTextAsync(config, $"version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: {dir}/data\nhttp:\n  addr: 127.0.0.1:{port}\n");
        var psi = new ProcessStartInfo(Binary, ["serve", config]) { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.Environment.Remove("REGISTRY_HTTP_ADDR");
        var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start docker-registry");
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var registry = new LocalRegistry(process, port);
        for (int i = 0; i < 100; i++)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return registry;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        registry.Dispose();
        throw new InvalidOperationException("docker-registry did not start");
    }

    public void Dispose()
    {
        try
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
    }
}
