using System.Diagnostics;

using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Support;

/// <summary>A containerd with its own root, state and socket in a scratch directory (CRI off), stopped by PID.</summary>
public sealed class PrivateContainerd : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly Process _process;

    private PrivateContainerd()
    {
        string config = _dir.Write("config.toml", $"""
            version = 2
            root = "{_dir.Path}/root"
            state = "{_dir.Path}/state"
            disabled_plugins = ["io.containerd.grpc.v1.cri"]
            [grpc]
              address = "{Socket}"
            [ttrpc]
              address = "{Socket}.ttrpc"
            [debug]
              address = ""
            [metrics]
              address = ""
            """);
        var psi = new ProcessStartInfo("/bin/sh", ["-c", $"exec containerd --config '{config}' > '{_dir.Path}/containerd.log' 2>&1"]) { UseShellExecute = false };
        _process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start containerd");
    }

    public string Socket => System.IO.Path.Combine(_dir.Path, "containerd.sock");

    public static bool Available => File.Exists("/usr/bin/containerd") && File.Exists("/usr/bin/ctr");

    public static PrivateContainerd Start()
    {
        var c = new PrivateContainerd();
        var sw = Stopwatch.StartNew();
        while (!File.Exists(c.Socket) && sw.Elapsed < TimeSpan.FromSeconds(15) && !c._process.HasExited)
        {
            Thread.Sleep(25);
        }

        if (!File.Exists(c.Socket))
        {
            c.Dispose();
            throw new InvalidOperationException("containerd did not start");
        }

        return c;
    }

    public Task<string> CtrAsync(params string[] args) => Run.ToolAsync("/usr/bin/ctr", ["--address", Socket, "--namespace", "xpkg-registry-test", .. args]);

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _process.Dispose();
        _dir.Dispose();
    }
}
