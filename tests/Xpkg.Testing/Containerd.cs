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

    public static async Task<Containerd> StartAsync()
    {
        var c = new Containerd();
        string config = c._dir.Combine("config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{c.Root}"
            state = "{c._dir.Combine("state")}"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{c.Socket}"
            [ttrpc]
              address = "{c.Socket}.ttrpc"
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
            c._process = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            c._dir.Dispose();
            throw new InvalidOperationException("containerd and ctr must be installed (apt-get install containerd)", e);
        }

        c._process.BeginErrorReadLine();
        c._process.BeginOutputReadLine();
        for (int i = 0; i < 200 && !File.Exists(c.Socket); i++)
        {
            await Task.Delay(25);
        }

        if (!File.Exists(c.Socket))
        {
            await c.DisposeAsync();
            throw new InvalidOperationException("containerd did not start");
        }

        return c;
    }

    public Task<RunResult> CtrAsync(params string[] args) => Run.ProcessAsync("ctr", CtrArguments(args));

    /// <summary>Runs ctr and fails the test with its output when ctr fails; returns what it printed.</summary>
    public Task<string> CtrOutputAsync(params string[] args) => Run.ToolAsync("ctr", CtrArguments(args), timeout: null);

    private string[] CtrArguments(string[] args) => ["--address", Socket, "--namespace", Namespace, .. args];

    public async ValueTask DisposeAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(bound.Token);
        }

        _process?.Dispose();
        _dir.Dispose();
    }
}
