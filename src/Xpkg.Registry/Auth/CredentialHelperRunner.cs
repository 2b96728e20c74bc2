using System.Diagnostics;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Registry.Auth;

/// <summary>
/// Runs <c>docker-credential-&lt;name&gt; get</c>: the server URL on stdin, <c>{"ServerURL","Username","Secret"}</c>
/// on stdout. A <c>Username</c> of <c>&lt;token&gt;</c> means the secret is an identity token.
/// </summary>
public sealed class CredentialHelperRunner
{
    private readonly IReadOnlyList<string>? _searchPath;
    private readonly TimeSpan _timeout;

    /// <param name="searchPath">Directories to look in; null means <c>$PATH</c>.</param>
    public CredentialHelperRunner(IReadOnlyList<string>? searchPath = null, TimeSpan? timeout = null)
    {
        _searchPath = searchPath;
        _timeout = timeout ?? TimeSpan.FromSeconds(30);
    }

    public async Task<Credential?> GetAsync(string helper, string serverUrl, CancellationToken cancellationToken)
    {
        string name = "docker-credential-" + helper;
        string? exe = Find(name)
            ?? throw new XpkgException($"credential helper {name} is not installed", $"install {name} or remove \"{helper}\" from credsStore/credHelpers in the credentials file (Docker config.json or containers auth.json)");
        var psi = new ProcessStartInfo(exe, "get")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(psi) ?? throw new XpkgException($"could not start {name}");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_timeout);
        try
        {
            await process.StandardInput.WriteAsync(serverUrl.AsMemory(), timeout.Token).ConfigureAwait(false);
            process.StandardInput.Close();
            var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            string output = await stdout.ConfigureAwait(false);
            string error = await stderr.ConfigureAwait(false);
            if (process.ExitCode != 0)
            {
                // The helpers' agreed "not found" message is not an error: there is just no login.
                if ((output + error).Contains("credentials not found", StringComparison.OrdinalIgnoreCase))
                {
                    return null;
                }

                throw new XpkgException($"{name} get failed with exit code {process.ExitCode}", $"run `echo {serverUrl} | {name} get` to see why");
            }

            return Parse(output, name);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new XpkgException($"{name} did not answer within {_timeout.TotalSeconds:0} s");
        }
    }

    private static Credential Parse(string output, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(output);
            string? user = doc.RootElement.TryGetProperty("Username", out var u) ? u.GetString() : null;
            string? secret = doc.RootElement.TryGetProperty("Secret", out var s) ? s.GetString() : null;
            return user == "<token>"
                ? new Credential(null, null, secret, null, name)
                : new Credential(user, secret, null, null, name);
        }
        catch (JsonException)
        {
            throw new XpkgException($"{name} printed something that is not the expected JSON");
        }
    }

    private string? Find(string name)
    {
        var dirs = _searchPath ?? (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return dirs.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }
}
