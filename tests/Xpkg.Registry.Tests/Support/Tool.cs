using System.Diagnostics;

namespace Xpkg.Registry.Tests.Support;

/// <summary>Runs a command-line tool with a time limit and returns its output; fails the test on a non-zero exit.</summary>
public static class Tool
{
    public static async Task<string> RunAsync(string exe, IEnumerable<string> args, TimeSpan? limit = null)
    {
        var psi = new ProcessStartInfo(exe, args) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {exe}");
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(60));
        var stdout = p.StandardOutput.ReadToEndAsync(cts.Token);
        var stderr = p.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await p.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{exe} {string.Join(' ', args)} did not finish in time");
        }

        string output = await stdout;
        return p.ExitCode == 0 ? output : throw new InvalidOperationException($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {await stderr}");
    }
}
