using System.Diagnostics;

namespace Xpkg.ContainerdClient.Tests.Support;

/// <summary>
/// A private containerd (its own config, root, state and socket under a temp dir, CRI disabled), started for
/// a test and stopped by PID. Same approach as Xpkg.Testing.Containerd, plus a client on its socket and ctr helpers that fail loudly.
/// </summary>
public sealed class PrivateContainerd : IAsyncDisposable
{
    public const string Namespace = "xpkg-test";

    private readonly TempDir _dir = new();
    private Process? _process;

    public string Socket => _dir.Combine("containerd.sock");

    public static async Task<PrivateContainerd> StartAsync()
    {
        var c = new PrivateContainerd();
        string config = c._dir.Combine("config.toml");
        await File.WriteAllTextAsync(config, $"""
            version = 2
            root = "{c._dir.Combine("root")}"
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
        c._process = Process.Start(psi)!;
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

    public ContainerdStore Connect() => ContainerdStore.Connect(Socket, Namespace);

    public async Task<string> CtrAsync(params string[] args)
    {
        var r = await Run.ProcessAsync("ctr", ["--address", Socket, "--namespace", Namespace, .. args]);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException("ctr " + string.Join(' ', args) + " failed: " + r);
        }

        return r.Stdout;
    }

    /// <summary>The digest <c>ctr images ls</c> shows for a name, or null when it lists no such image.</summary>
    public async Task<string?> ImageDigestAsync(string name)
    {
        string list = await CtrAsync("images", "ls");
        return list.Split('\n')
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cols => cols.Length > 2 && cols[0] == name)
            .Select(cols => cols[2])
            .FirstOrDefault();
    }

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
