using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Real;

/// <summary>
/// Logins written for real by <c>skopeo login --authfile</c> and <c>podman login --authfile</c> into containers
/// auth.json files, found where podman and skopeo look, used against the TLS + bcrypt htpasswd docker-registry.
/// </summary>
[Collection(RealPeersCollection.Name)]
public class ContainersAuthFileTests(RealPeers peers)
{
    [Fact]
    public async Task A_skopeo_login_in_REGISTRY_AUTH_FILE_authenticates_a_push()
    {
        var secure = peers.Secure ?? throw new InvalidOperationException("docker-registry is not installed");
        using var dir = new TempDir();
        string authFile = Path.Combine(dir.Path, "login", "auth.json");
        await Run.ToolAsync("/usr/bin/skopeo", ["login", "--authfile", authFile, "--tls-verify=false", "-u", RealPeers.User, "-p", RealPeers.Password, secure.Authority]);
        var env = new Dictionary<string, string?> { ["HOME"] = dir.Sub("home"), ["REGISTRY_AUTH_FILE"] = authFile };

        var files = CredentialFiles.Load(env.GetValueOrDefault);
        Assert.Equal([authFile], files.Files.Select(f => f.Path));
        var options = TestClients.Options(files, new RegistryHostOptions { CaFiles = [peers.Certificates!.CaFile] });
        using var client = new RegistryClient(options);
        await peers.Image!.PushAsync(client.Repository(secure.Authority, "test/authfile"), "v1");

        Assert.Equal(peers.Image.Manifest.Digest, (await client.Repository(secure.Authority, "test/authfile").ResolveAsync("v1", default)).Digest);
        Assert.True(options.Log.Contains("auth", $"using credentials from {authFile} auths"));
        Assert.DoesNotContain(options.Log.Events, e => e.Message.Contains(RealPeers.Password, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_podman_login_under_XDG_RUNTIME_DIR_is_found_and_Docker_config_is_asked_first()
    {
        var secure = peers.Secure ?? throw new InvalidOperationException("docker-registry is not installed");
        using var dir = new TempDir();
        string runtime = dir.Sub("run");
        string authFile = Path.Combine(runtime, "containers", "auth.json");
        await Run.ToolAsync("/usr/bin/podman", ["login", "--authfile", authFile, "--tls-verify=false", "-u", RealPeers.User, "-p", RealPeers.Password, secure.Authority]);
        var env = new Dictionary<string, string?> { ["HOME"] = dir.Sub("home"), ["XDG_RUNTIME_DIR"] = runtime };

        var options = TestClients.Options(CredentialFiles.Load(env.GetValueOrDefault), new RegistryHostOptions { CaFiles = [peers.Certificates!.CaFile] });
        using (var client = new RegistryClient(options))
        {
            await peers.Image!.PushAsync(client.Repository(secure.Authority, "test/podman-login"), "v1");
        }

        Assert.True(options.Log.Contains("auth", $"using credentials from {authFile} auths"));

        // A wrong password in Docker's config.json wins over the right one in auth.json: Docker's file is asked first.
        string docker = dir.Sub("docker");
        string wrong = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes($"{RealPeers.User}:wrong"));
        File.WriteAllText(Path.Combine(docker, "config.json"), "{\"auths\":{\"" + secure.Authority + "\":{\"auth\":\"" + wrong + "\"}}}");
        env["DOCKER_CONFIG"] = docker;
        using var second = new RegistryClient(TestClients.Options(CredentialFiles.Load(env.GetValueOrDefault), new RegistryHostOptions { CaFiles = [peers.Certificates.CaFile] }, maxAttempts: 1));
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => second.Repository(secure.Authority, "test/podman-login").ResolveAsync("v1", default));
        Assert.Contains("rejected the credentials", e.Message, StringComparison.Ordinal);
    }
}
