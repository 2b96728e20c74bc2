using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Xpkg.Testing;

/// <summary>
/// <c>xpkg serve</c> as a process on a free loopback port: started, its address (and CA with <c>--tls auto</c>) read
/// from its first lines, its standard error collected as it runs, stopped by its own PID.
/// </summary>
public sealed partial class ServeProcess : IAsyncDisposable
{
    /// <summary>The reference the fixture package is loaded under by <see cref="StartOverFixtureAsync"/>.</summary>
    public const string FixtureReference = "example.test/crossplane-contrib/function-cpt:v1";

    private const string CaLinePrefix = "CA certificate for clients: ";

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ServeProcess(Process process) => _process = process;

    /// <summary>The base URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public string Address { get; private set; } = "";

    /// <summary><c>host:port</c> of <see cref="Address"/>.</summary>
    public string Authority => new Uri(Address).Authority;

    /// <summary>The CA file clients should trust, with <c>--tls auto</c>.</summary>
    public string? CaFile { get; private set; }

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

    /// <summary>
    /// Waits (bounded by <paramref name="limit"/>) until standard error contains <paramref name="text"/>: a line the
    /// server writes after the answer the test saw (a decision logged once a fill has failed) comes a moment later.
    /// </summary>
    public async Task<bool> StderrContainsAsync(string text, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (!Stderr.Contains(text, StringComparison.Ordinal))
        {
            if (waited.Elapsed > limit)
            {
                return false;
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>
    /// Loads the fixture package into <paramref name="cache"/> as <see cref="FixtureReference"/> (served as
    /// <c>crossplane-contrib/function-cpt:v1</c>) and serves the cache on a free port, over <c>--tls auto</c> or plain HTTP.
    /// </summary>
    public static async Task<ServeProcess> StartOverFixtureAsync(string cache, bool tls)
    {
        var load = await Run.XpkgAsync(cache, "load", Repo.Fixture(Repo.XpkgFixture), "--tag", FixtureReference);
        if (load.ExitCode != 0)
        {
            throw new InvalidOperationException("loading the fixture failed: " + load);
        }

        return await StartAsync(cache, tls ? ["--tls", "auto", "--log-format", "none"] : ["--log-format", "none"]);
    }

    public static Task<ServeProcess> StartAsync(string cacheDir, params string[] arguments)
        => StartAsync(cacheDir, arguments, env: null);

    public static async Task<ServeProcess> StartAsync(string cacheDir, IEnumerable<string> arguments, IDictionary<string, string>? env)
    {
        string[] args = [.. arguments];
        var process = Process.Start(StartInfo(cacheDir, args, env))!;
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
        bool tls = args.Contains("--tls");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (ServingLine().Match(line) is { Success: true } m)
                {
                    serve.Address = m.Groups[1].Value;
                }
                else if (line.StartsWith(CaLinePrefix, StringComparison.Ordinal))
                {
                    serve.CaFile = line[CaLinePrefix.Length..];
                }

                if (serve.Address.Length > 0 && (!tls || serve.CaFile is not null))
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
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

    /// <summary>Runs <c>xpkg serve</c> expecting it to exit by itself (bad options): its exit status and standard error.</summary>
    public static async Task<(int Exit, string Stderr)> RunToEndAsync(string cacheDir, params string[] arguments)
    {
        using var process = Process.Start(StartInfo(cacheDir, arguments, env: null))!;
        _ = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        string stderr = await process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, stderr);
    }

    /// <summary>SIGTERM, as a service manager would send, then the exit status.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            await Run.ProcessAsync("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(bound.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(bound.Token);
        }

        _process.Dispose();
    }

    private static ProcessStartInfo StartInfo(string cacheDir, string[] arguments, IDictionary<string, string>? env)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        string[] addr = arguments.Contains("--addr") ? [] : ["--addr", "127.0.0.1:0"];
        foreach (string a in (string[])[Run.XpkgDll, "serve", "--cache-dir", cacheDir, .. addr, .. arguments])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment.Remove("XPKG_CACHE_DIR");
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        return start;
    }

    [GeneratedRegex(@"^Serving .* at (\S+/) ")]
    private static partial Regex ServingLine();
}
