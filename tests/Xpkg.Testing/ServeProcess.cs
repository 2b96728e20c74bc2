using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Xpkg.Testing;

/// <summary>
/// <c>xpkg serve</c> as a process on a free loopback port: started, its address read from its first line,
/// its standard error collected as it runs, stopped by its own PID.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServeProcess(Process process) => _process = process;

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary><c>host:port</c> of <see cref="Address"/>.</summary>
    public string Authority => new Uri(Address).Authority;

    /// <summary>What the server wrote on standard error so far (access log, mirror decisions).</summary>
    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    public static async Task<ServeProcess> StartAsync(string cacheDir, IEnumerable<string> arguments, IDictionary<string, string>? env = null)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])[Run.XpkgDll, "serve", "--cache-dir", cacheDir, "--addr", "127.0.0.1:0", .. arguments])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("XPKG_CACHE_DIR");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var process = Process.Start(start)!;
        var serve = new ServeProcess(process);
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (serve._stderr)
                {
                    serve._stderr.AppendLine(e.Data);
                }
            }
        };
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ServingLine().Match(line) is { Success: true } m)
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    serve.Address = m.Groups[1].Value;
                    return serve;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        await serve.DisposeAsync();
        throw new InvalidOperationException("xpkg serve did not report its address: " + serve.Stderr);
    }

    /// <summary>Stops the server (SIGKILL) before the test ends, e.g. to see what it wrote.</summary>
    public async Task StopAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(bound.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _process.Dispose();
    }

    [GeneratedRegex(@"^Serving .* at (\S+/) ")]
    private static partial Regex ServingLine();
}
