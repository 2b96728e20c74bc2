using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Tests.Support;
using Xpkg.Store;
using Xpkg.Testing;
using Xpkg.Transfer;

namespace Xpkg.Registry.Tests.Real;

/// <summary>
/// Logins per repository, written by real <c>podman login --authfile F host/ns</c> and <c>podman login --authfile F
/// host</c>, used against a TLS + bcrypt htpasswd docker-registry of this test's own (its htpasswd is changed).
/// </summary>
[Collection(RealPeersCollection.Name)]
public class RepositoryLoginTests(RealPeers peers)
{
    [Fact]
    public async Task A_podman_login_for_host_ns_is_used_for_that_path_only_and_explain_names_the_key()
    {
        var image = peers.Image ?? throw new InvalidOperationException("docker-registry is not installed");
        using var dir = new TempDir();
        string htpasswd = Path.Combine(dir.Path, "htpasswd");
        File.WriteAllText(htpasswd, await Run.ToolAsync("/usr/bin/htpasswd", ["-Bbn", RealPeers.User, RealPeers.Password])
            + await Run.ToolAsync("/usr/bin/htpasswd", ["-Bbn", "hostuser", "first-password"]));
        using var registry = DistributionRegistry.Start(dir.Sub("registry"), peers.Certificates, htpasswd);
        string host = registry.Authority;
        var hostOptions = new RegistryHostOptions { CaFiles = [peers.Certificates!.CaFile] };
        using (var pusher = new RegistryClient(TestClients.Options(new StaticCredentialProvider().Add(host, new Credential(RealPeers.User, RealPeers.Password)), hostOptions)))
        {
            await image.PushAsync(pusher.Repository(host, "good/img"), "v1");
            await image.PushAsync(pusher.Repository(host, "other/img"), "v1");
        }

        // The bare host gets a login that worked when podman checked it and stops working when the password changes.
        string authFile = Path.Combine(dir.Path, "auth.json");
        await Run.ToolAsync("/usr/bin/podman", ["login", "--authfile", authFile, "--tls-verify=false", "-u", "hostuser", "-p", "first-password", host]);
        await Run.ToolAsync("/usr/bin/podman", ["login", "--authfile", authFile, "--tls-verify=false", "-u", RealPeers.User, "-p", RealPeers.Password, $"{host}/good"]);
        await Run.ToolAsync("/usr/bin/htpasswd", ["-Bb", htpasswd, "hostuser", "changed-password"]);
        string written = File.ReadAllText(authFile);
        Assert.Contains($"\"{host}/good\"", written, StringComparison.Ordinal);
        Assert.Contains($"\"{host}\"", written, StringComparison.Ordinal);

        var env = new Dictionary<string, string?> { ["HOME"] = dir.Sub("home"), ["REGISTRY_AUTH_FILE"] = authFile };
        var options = TestClients.Options(CredentialFiles.Load(env.GetValueOrDefault), hostOptions, maxAttempts: 1);
        var puller = new ImagePuller(ContentStore.Open(dir.Sub("cache")), () => new RegistryClient(options), options.Log);
        var good = await puller.PullAsync(ImageReference.Parse($"{host}/good/img:v1"), PullPolicy.IfNotPresent, offline: false, new CopyOptions(), default);
        Assert.Equal(image.Manifest.Digest, good.Root.Digest);
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() =>
            puller.PullAsync(ImageReference.Parse($"{host}/other/img:v1"), PullPolicy.IfNotPresent, offline: false, new CopyOptions(), default));
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, e.StatusCode);
        Assert.Contains($"{host} rejected the credentials", e.Message, StringComparison.Ordinal);
        Assert.Equal($"check the username and password of the login used, {authFile} auths \"{host}\"", e.Hint);

        // In one client too (the host's Basic challenge known from the first): the first login does not carry over.
        using (var client = new RegistryClient(options))
        {
            Assert.Equal(image.Manifest.Digest, (await client.Repository(host, "good/img").ResolveAsync("v1", default)).Digest);
            await Assert.ThrowsAsync<RegistryResponseException>(() => client.Repository(host, "other/img").ResolveAsync("v1", default));
            Assert.Equal(image.Manifest.Digest, (await client.Repository(host, "good/img").ResolveAsync("v1", default)).Digest);
        }

        Assert.True(options.Log.Contains("auth", $"login for {host}/good/img: {authFile} auths \"{host}/good\""));
        Assert.True(options.Log.Contains("auth", $"login for {host}/other/img: {authFile} auths \"{host}\""));
        Assert.DoesNotContain(options.Log.Events, ev => ev.Message.Contains(RealPeers.Password, StringComparison.Ordinal) || ev.Message.Contains("-password", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_copy_mounts_only_between_repositories_with_the_same_login(bool sameLogin)
    {
        var secure = peers.Secure ?? throw new InvalidOperationException("docker-registry is not installed");
        string host = secure.Authority;
        string source = $"mount-src-{sameLogin}/img";
        string target = $"mount-dst-{sameLogin}/img";
        var creds = new StaticCredentialProvider().Add(host, new Credential(RealPeers.User, RealPeers.Password, source: "host login"));
        if (!sameLogin)
        {
            // The same account under another key is still another login: the mount is not tried.
            creds.Add($"{host}/{source}", new Credential(RealPeers.User, RealPeers.Password, source: "source login"));
        }

        var options = TestClients.Options(creds, new RegistryHostOptions { CaFiles = [peers.Certificates!.CaFile] });
        using var client = new RegistryClient(options);
        await peers.Image!.PushAsync(client.Repository(host, source), "v1");
        var from = client.Repository(host, source);
        var root = await from.ResolveAsync("v1", default);
        var to = client.Repository(host, target);
        to.MountSources.Add(source);
        await CopyEngine.CopyAsync(from, root, to, new CopyOptions(), default);
        await to.TagAsync("v1", root, from.Description, default);

        Assert.Equal(root.Digest, (await client.Repository(host, target).ResolveAsync("v1", default)).Digest);
        Assert.Equal(sameLogin, options.Log.Contains("push", $"from {source} into {target}: mounted"));
        Assert.Equal(!sameLogin, options.Log.Contains("push", $"{source} and {target} have different logins; uploading instead"));
        Assert.Equal(!sameLogin, options.Log.Contains("auth", $"login for {host}/{source}: source login"));
    }
}
