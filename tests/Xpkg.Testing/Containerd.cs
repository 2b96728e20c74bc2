using System.Diagnostics;

namespace Xpkg.Testing;

/// <summary>
/// A private containerd (its own root, state and socket under a temp dir, CRI disabled), started for a test
/// and stopped by PID.
/// </summary>
public sealed class Containerd : IAsyncDisposable
{
    /// <summary>The containerd namespace <see cref="CtrAsync"/> works in.</summary>
    public const string Namespace = "xpkg-test";

    private readonly TempDir _dir = new();
    private Process? _process;

    public string Socket => _dir.Combine("containerd.sock");

    /// <summary>containerd's root directory (its <c>root</c> setting), under which each plugin has its own.</summary>
    public string Root => _dir.Combine("root");

    /// <summary>Starts a containerd; <paramref name="disabledPlugins"/> (plugin ids) are turned off besides CRI.</summary>
    public static async Task<Containerd> StartAsync(params string[] disabledPlugins)
    {
        var c = new Containerd();
        try
        {
            await c.LaunchAsync(disabledPlugins);
        }
        catch
        {
            await c.DisposeAsync();
            throw;
        }

        return c;
    }

    /// <summary>Stops the daemon and starts it again on the same root and socket, with these plugins turned off.</summary>
    public async Task RestartAsync(params string[] disabledPlugins)
    {
        await StopDaemonAsync();
        File.Delete(Socket);
        await LaunchAsync(disabledPlugins);
    }

    private async Task LaunchAsync(string[] disabledPlugins)
    {
        string config = _dir.Combine("config.toml");
        string disabled = string.Join(", ", disabledPlugins.Prepend("io.containerd.grpc.v1.cri").Select(p => $"\"{p}\""));
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{Root}"
            state = "{_dir.Combine("state")}"
            disabled_plugins = [{disabled}]
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            [debug]
              address = ""
            [metrics]
              address = ""
            """);
        var psi = new ProcessStartInfo("containerd") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add("--config");
        psi.ArgumentList.Add(config);
        try
        {
            _process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException("containerd and ctr must be installed (apt-get install containerd)", e);
        }

        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        for (int i = 0; i < 200 && !File.Exists(Socket); i++)
        {
            await Task.Delay(25);
        }

        if (!File.Exists(Socket))
        {
            await DisposeAsync();
            throw new InvalidOperationException("containerd did not start");
        }
    }

    public Task<RunResult> CtrAsync(params string[] args) => Run.ProcessAsync("ctr", CtrArguments(args));

    /// <summary>Runs ctr and fails the test with its output when ctr fails; returns what it printed.</summary>
    public Task<string> CtrOutputAsync(params string[] args) => Run.ToolAsync("ctr", CtrArguments(args), timeout: null);

    private string[] CtrArguments(string[] args) => ["--address", Socket, "--namespace", Namespace, .. args];

    public async ValueTask DisposeAsync()
    {
        await StopDaemonAsync();
        _dir.Dispose();
    }

    private async Task StopDaemonAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(bound.Token);
        }

        _process?.Dispose();
        _process = null;
    }
}
