using System.Diagnostics;

namespace Xpkg.Testing;

public sealed record RunResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout:\n{Stdout}\nstderr:\n{Stderr}";
}

/// <summary>Runs processes with a time bound: the xpkg CLI (the built xpkg.dll) and the real peer tools.</summary>
public static class Run
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromMinutes(3);

    public static string XpkgDll => Path.Combine(AppContext.BaseDirectory, "xpkg.dll");

    public static Task<RunResult> XpkgAsync(string cacheDir, params string[] args)
        => ProcessAsync("dotnet", [XpkgDll, "--cache-dir", cacheDir, .. args]);

    public static Process StartXpkg(string cacheDir, params string[] args)
    {
        var psi = NewStartInfo("dotnet", [XpkgDll, "--cache-dir", cacheDir, .. args]);
        return Process.Start(psi)!;
    }

    public static async Task<RunResult> ProcessAsync(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var psi = NewStartInfo(file, args);
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in time");
        }

        return new RunResult(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Runs a tool and fails the test with its output when it fails.</summary>
    public static Task<string> ToolAsync(string file, params string[] args) => ToolAsync(file, args, timeout: null);

    /// <summary>Runs a tool within <paramref name="timeout"/> and fails the test with its output when it fails.</summary>
    public static async Task<string> ToolAsync(string file, IEnumerable<string> args, TimeSpan? timeout)
    {
        var r = await ProcessAsync(file, args, timeout: timeout);
        if (r.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {r}");
        }

        return r.Stdout;
    }

    private static ProcessStartInfo NewStartInfo(string file, IEnumerable<string> args)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment.Remove("XPKG_CACHE_DIR");
        return psi;
    }
}
