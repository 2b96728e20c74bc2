using System.Text;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Registry;
using Xpkg.Registry.Hosts;
using Xpkg.Testing;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary>
/// A package in a docker-registry with TLS (a test CA) and bcrypt htpasswd: the install logs in with the
/// <c>kubernetes.io/dockerconfigjson</c> Secret the package names, and fails without it.
/// </summary>
public sealed class PullSecretRegistryTests : IDisposable
{
    private const string User = "installer";
    private const string Password = "s3cret-pull-pass";

    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public async Task PackagePullSecretLogsInToATlsHtpasswdRegistry()
    {
        var (tls, registry, dockerConfigJson, secret) = await StartPrivateRegistryAsync();
        using var _ = registry;
        string fn = $"{registry.Authority}/private/function-x:v1.0.0";
        await SeedAsync(tls, registry, dockerConfigJson, (fn, "function-x"));
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));

        string withSecret = _cache.Write("with.yaml", PackageManifest("Function", "fn", fn, "  packagePullSecrets:\n  - name: regcred\n") + secret);
        string without = _cache.Write("without.yaml", PackageManifest("Function", "fn", fn) + secret);
        var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(_cache.Root, "no-docker-config") };

        // The Secret is among the inputs but the package does not name it: as in Crossplane, it is not used.
        var denied = await Xpkg("install", "-f", without, "--state-dir", Path.Combine(_cache.Root, "denied"), "--ca-file", tls.CaFile);
        Assert.Equal(1, denied.ExitCode);
        Assert.StartsWith("error: Function/fn: ", denied.Stderr, StringComparison.Ordinal);

        var installed = await Xpkg("install", "-f", withSecret, "--state-dir", _cache.StateDirectory, "--ca-file", tls.CaFile, "--explain", "-o", "json");
        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Contains("\"source\": \"registry\"", installed.Stdout, StringComparison.Ordinal);
        Assert.Contains("pull secret regcred covers " + registry.Authority, installed.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, installed.Stdout + installed.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain(auth, installed.Stdout + installed.Stderr, StringComparison.Ordinal);
        Assert.Contains("  - name: regcred\n", _cache.State("runtime/function.fn.yaml"));

        Task<RunResult> Xpkg(params string[] args) => Run.ProcessAsync("dotnet", [Run.XpkgDll, "--cache-dir", _cache.Store.Root, .. args], env);
    }

    [Fact]
    public async Task APullSecretServesOnlyThePackageThatNamesIt()
    {
        var (tls, registry, dockerConfigJson, secret) = await StartPrivateRegistryAsync();
        using var _ = registry;
        string a = $"{registry.Authority}/private/function-a:v1.0.0";
        string b = $"{registry.Authority}/private/function-b:v1.0.0";
        await SeedAsync(tls, registry, dockerConfigJson, (a, "function-a"), (b, "function-b"));

        string packages = PackageManifest("Function", "fn-a", a, "  packagePullSecrets:\n  - name: regcred\n") + PackageManifest("Function", "fn-b", b) + secret;
        var env = new Dictionary<string, string> { ["DOCKER_CONFIG"] = Path.Combine(_cache.Root, "no-docker-config") };

        // fn-a's Secret is for fn-a: Crossplane fetches fn-b with fn-b's (no) secrets, so xpkg does too.
        var denied = await Xpkg(_cache.Write("two.yaml", packages), "denied");
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("error: Function/fn-b: ", denied.Stderr, StringComparison.Ordinal);
        Assert.Contains("error: Function/fn-b: " + registry.Authority + " requires", denied.Stderr, StringComparison.Ordinal);
        Assert.Contains("\nhint: ", denied.Stderr, StringComparison.Ordinal);

        // An ImageConfig's pullSecretRef covers every package under its prefix.
        string imageConfig = $"""
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: ImageConfig
            metadata:
              name: private-registry
            spec:
              matchImages:
              - prefix: {registry.Authority}/private
              registry:
                authentication:
                  pullSecretRef:
                    name: regcred

            """;
        var installed = await Xpkg(_cache.Write("two-with-config.yaml", packages + imageConfig), "installed");
        Assert.True(installed.ExitCode == 0, installed.ToString());
        Assert.Contains("adds pull secret regcred", installed.Stdout + installed.Stderr, StringComparison.Ordinal);
        Assert.Contains("Function/fn-b", installed.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, installed.Stdout + installed.Stderr, StringComparison.Ordinal);

        Task<RunResult> Xpkg(string file, string state) => Run.ProcessAsync("dotnet",
            [Run.XpkgDll, "--cache-dir", _cache.Store.Root, "install", "-f", file, "--state-dir", Path.Combine(_cache.Root, state), "--ca-file", tls.CaFile, "--explain"], env);
    }

    /// <summary>A docker-registry with TLS (a test CA) and bcrypt htpasswd; the login as a Secret's YAML.</summary>
    private async Task<(TestCertificates Tls, DistributionRegistry Registry, string DockerConfigJson, string SecretYaml)> StartPrivateRegistryAsync()
    {
        var tls = TestCertificates.Create(Path.Combine(_cache.Root, "tls"));
        string htpasswd = _cache.Write("htpasswd", await Run.ToolAsync("htpasswd", "-Bbn", User, Password));
        var registry = DistributionRegistry.Start(Path.Combine(_cache.Root, "registry"), tls, htpasswd);
        string auth = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{User}:{Password}"));
        string dockerConfigJson = $"{{\"auths\":{{\"{registry.Authority}\":{{\"auth\":\"{auth}\"}}}}}}";
        string secret = $"""
            ---
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: regcred, namespace: crossplane-system{"}"}
            type: kubernetes.io/dockerconfigjson
            stringData:
              .dockerconfigjson: '{dockerConfigJson}'

            """;
        return (tls, registry, dockerConfigJson, secret);
    }

    private static async Task SeedAsync(TestCertificates tls, DistributionRegistry registry, string dockerConfigJson, params (string Reference, string Name)[] functions)
    {
        using var seed = new TestCache();
        var push = new RegistryClientOptions
        {
            Hosts = new RegistryHostOptions { CaFiles = [tls.CaFile] },
            Credentials = new PullSecretCredentials([new PullSecret("push", null, dockerConfigJson, [registry.Authority])], null),
        };
        foreach (var (reference, name) in functions)
        {
            await RegistrySeed.PushAsync(seed, reference, Meta("Function", name), push);
        }
    }
}
