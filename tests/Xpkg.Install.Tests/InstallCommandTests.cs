using System.Diagnostics;
using System.Text.Json.Nodes;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary>The CLI end to end, as a process: JSON shape, exit statuses, stdin.</summary>
public sealed class InstallCommandTests : IDisposable
{
    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private async Task<(int Code, string Out, string Err)> RunAsync(string? stdin, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "xpkg.dll"));
        psi.ArgumentList.Add("--cache-dir");
        psi.ArgumentList.Add(_cache.Store.Root);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        await process.StandardInput.WriteAsync(stdin ?? "");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output, await error);
    }

    [Fact]
    public async Task PrintsOneJsonArrayAndExitCodes()
    {
        await _cache.AddPackageAsync(Host + "/org/provider-p:v0.1.0", Meta("Provider", "provider-p"));
        var digest = await _cache.AddPackageAsync(Host + "/org/configuration-c:v1.0.0", Meta("Configuration", "c", OldDep("provider", Host + "/org/provider-p", ">=v0.1.0")));
        string manifest = PackageManifest("Configuration", "c", Host + "/org/configuration-c:v1.0.0");

        var (code, stdout, stderr) = await RunAsync(manifest, "install", "-f", "-", "--state-dir", _cache.StateDirectory, "--offline", "--explain", "-o", "json");

        Assert.True(code == 0, stderr);
        var array = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(2, array.Count);
        var c = array[0]!;
        Assert.Equal(["kind", "name", "package", "resolvedPackage", "digest", "revision", "source", "dependencies"], c.AsObject().Select(p => p.Key));
        Assert.Equal("Configuration", (string?)c["kind"]);
        Assert.Equal(digest.ToString(), (string?)c["digest"]);
        Assert.Equal("c-" + digest.Encoded[..12], (string?)c["revision"]);
        Assert.Equal("cache", (string?)c["source"]);
        Assert.Equal("v0.1.0", (string?)c["dependencies"]![0]!["version"]);
        Assert.Contains("Configuration/c: policy: IfNotPresent becomes Never (--offline)", stderr);

        var bad = await RunAsync("apiVersion: pkg.crossplane.io/v1\nkind: Function\nmetadata: {name: f}\nspec: {package: registry.example.com/f:v1, bogus: 1}\n",
            "install", "-f", "-", "--state-dir", _cache.StateDirectory);
        Assert.Equal(2, bad.Code);
        Assert.StartsWith("error: <stdin>: document 1 (line 1): spec.bogus: unknown field\nhint: ", bad.Err);

        var missing = await RunAsync(PackageManifest("Function", "f", Host + "/org/function-missing:v1.0.0"), "install", "-f", "-", "--state-dir", _cache.StateDirectory, "--offline");
        Assert.Equal(1, missing.Code);
        Assert.Contains("not in cache and pull policy is Never", missing.Err);
    }
}
