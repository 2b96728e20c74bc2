using System.Diagnostics;

namespace Xpkg.Server.Tests;

/// <summary>Runs a command-line tool the interop tests need, failing the test with its output when it fails.</summary>
public static class ExternalTool
{
    public static async Task<string> RunAsync(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in arguments)
        {
            start.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new Xunit.Sdk.XunitException($"{tool} is needed by this test and is not installed ({e.Message}); install it with apt-get install {tool}");
        }

        using (process)
        {
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(timeout.Token);
            if (process.ExitCode != 0)
            {
                throw new Xunit.Sdk.XunitException($"{tool} {string.Join(' ', arguments)} exited {process.ExitCode}: {await stderr}");
            }

            return await stdout;
        }
    }
}
