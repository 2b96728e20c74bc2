using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Xpkg.Server.Tests;

/// <summary><c>xpkg serve</c> as a process on a free port: its address (and CA with <c>--tls auto</c>), stopped by PID.</summary>
public sealed partial class ServeProcess : IAsyncDisposable
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

    /// <summary>The reference the fixture package is loaded under by <see cref="StartOverFixtureAsync"/>.</summary>
    public const string FixtureReference = "example.test/crossplane-contrib/function-cpt:v1";

    /// <summary>
    /// Loads the fixture package into <paramref name="cache"/> as <see cref="FixtureReference"/> (served as
    /// <c>crossplane-contrib/function-cpt:v1</c>) and serves the cache on a free port, over <c>--tls auto</c> or plain HTTP.
    /// </summary>
    public static async Task<ServeProcess> StartOverFixtureAsync(string cache, bool tls)
    {
        var load = await Xpkg.Testing.Run.XpkgAsync(cache, "load", Xpkg.Testing.Repo.Fixture(Xpkg.Testing.Repo.XpkgFixture), "--tag", FixtureReference);
        Assert.True(load.ExitCode == 0, load.ToString());
        return tls
            ? await StartAsync(cache, "--addr", "127.0.0.1:0", "--tls", "auto", "--log-format", "none")
            : await StartAsync(cache, "--addr", "127.0.0.1:0", "--log-format", "none");
    }

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
