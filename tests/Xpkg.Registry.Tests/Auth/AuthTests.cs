using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Auth;

public class AuthTests
{
    [Fact]
    public void Parses_bearer_challenge_with_comma_in_scope_and_several_challenges()
    {
        var cs = AuthChallenge.Parse([
            "Bearer realm=\"https://auth.example/token\",service=\"registry.example\",scope=\"repository:a/b:pull,push repository:c:pull\"",
            "Negotiate, Basic realm=\"test-realm\"",
        ]);
        Assert.Equal(3, cs.Count);
        Assert.True(cs[0].IsBearer);
        Assert.Equal("https://auth.example/token", cs[0].Realm);
        Assert.Equal("registry.example", cs[0].Service);
        Assert.Equal(["repository:a/b:pull,push", "repository:c:pull"], cs[0].Scopes);
        Assert.Equal("Negotiate", cs[1].Scheme);
        Assert.True(cs[2].IsBasic);
        Assert.Equal("test-realm", cs[2].Realm);
    }

    [Fact]
    public void Scope_sets_merge_actions_and_check_coverage()
    {
        var pull = new ScopeSet([ScopeSet.Pull("a")]);
        var push = new ScopeSet([ScopeSet.Push("a")]);
        Assert.True(push.Covers(pull));
        Assert.False(pull.Covers(push));
        var mount = push.Union(new ScopeSet([ScopeSet.Pull("src"), "repository:127.0.0.1:5000/x:pull"]));
        Assert.Equal(["repository:127.0.0.1:5000/x:pull", "repository:a:pull,push", "repository:src:pull"], mount.ToStrings());
        Assert.False(push.Covers(mount));
        Assert.True(new ScopeSet(["repository:a:*"]).Covers(push));
    }

    [Fact]
    public void Token_cache_expires_and_finds_covering_tokens()
    {
        var clock = new ManualClock();
        var cache = new TokenCache(clock);
        var alice = new Credential("alice", "pw", source: "test");
        cache.Put("r", "s", alice, new ScopeSet([ScopeSet.Push("a")]), "t1", TimeSpan.FromSeconds(60));
        Assert.Equal("t1", cache.Get("r", "s", alice, new ScopeSet([ScopeSet.Pull("a")])));
        Assert.Null(cache.Get("r", "s", alice, new ScopeSet([ScopeSet.Pull("b")])));
        Assert.Null(cache.Get("r", "other", alice, new ScopeSet([ScopeSet.Pull("a")])));

        // A token is the login's: another login, or none, never gets it, whatever its scopes cover.
        Assert.Null(cache.Get("r", "s", null, new ScopeSet([ScopeSet.Pull("a")])));
        Assert.Null(cache.Get("r", "s", new Credential("alice", "pw", source: "test"), new ScopeSet([ScopeSet.Pull("a")])));
        clock.Advance(TimeSpan.FromSeconds(55)); // renewed a little before the real expiry
        Assert.Null(cache.Get("r", "s", alice, new ScopeSet([ScopeSet.Pull("a")])));
    }

    [Fact]
    public async Task Docker_config_reads_auth_username_password_identitytoken_and_normalises_keys()
    {
        using var dir = new TempDir();
        string auth = Convert.ToBase64String("alice:s3cr3t:with-colon"u8.ToArray());
        string path = dir.Write("config.json", $$"""
            {"auths": {
              "https://index.docker.io/v1/": {"auth": "{{auth}}"},
              "reg.example:5000": {"username": "bob", "password": "pw-bob"},
              "https://tok.example/v2/": {"identitytoken": "refresh-123"} 
            } }
            """);
        var config = DockerConfigFile.Load(path);
        var hub = await config.GetAsync("docker.io", null, default);
        Assert.Equal("alice", hub?.Username);
        Assert.Equal("s3cr3t:with-colon", hub?.Password);
        Assert.DoesNotContain("s3cr3t", hub!.ToString(), StringComparison.Ordinal);
        Assert.Equal("pw-bob", (await config.GetAsync("reg.example:5000", null, default))?.Password);
        Assert.Equal("refresh-123", (await config.GetAsync("tok.example", null, default))?.IdentityToken);
        Assert.Null(await config.GetAsync("unknown.example", null, default));
        Assert.Null(await DockerConfigFile.Load(Path.Combine(dir.Path, "missing.json")).GetAsync("docker.io", null, default));
    }

    [Fact]
    public void Malformed_docker_config_error_does_not_quote_the_file()
    {
        using var dir = new TempDir();
        string path = dir.Write("config.json", "{\"auths\": {\"x\": {\"password\": \"leaky-secret\" ");
        var e = Assert.Throws<InvalidInputException>(() => DockerConfigFile.Load(path));
        Assert.DoesNotContain("leaky", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Credential_helpers_and_creds_store_run_the_helper_protocol()
    {
        using var dir = new TempDir();
        string bin = dir.Sub("bin");
        // A helper that echoes what it was asked about, so the test sees the server URL it was given.
        WriteHelper(bin, "fake", """
            read url
            echo "$url" >> "$(dirname "$0")/calls"
            if [ "$url" = "nothing.example" ]; then echo "credentials not found in native keychain"; exit 1; fi
            printf '{"ServerURL":"%s","Username":"helper-user","Secret":"pw-for-%s"}' "$url" "$url"
            """);
        WriteHelper(bin, "tokens", """
            read url
            printf '{"ServerURL":"%s","Username":"<token>","Secret":"id-token"}' "$url"
            """);
        string path = dir.Write("config.json", """
            {"auths": {"plain.example": {"username": "u", "password": "p"}},
             "credsStore": "fake",
             "credHelpers": {"helped.example": "tokens"}}
            """);
        var config = DockerConfigFile.Load(path, new CredentialHelperRunner([bin]));
        var helped = await config.GetAsync("helped.example", null, default);
        Assert.Equal("id-token", helped?.IdentityToken);
        Assert.Null(helped?.Username);
        Assert.Equal("u", (await config.GetAsync("plain.example", null, default))?.Username);
        var stored = await config.GetAsync("docker.io", null, default);
        Assert.Equal("pw-for-https://index.docker.io/v1/", stored?.Password);
        Assert.Contains($"credsStore in {path}", stored!.Source, StringComparison.Ordinal);

        // Helpers answer per host, once: other repositories of the host ask no second process.
        Assert.Same(stored, await config.GetAsync("docker.io", "library/alpine", default));
        Assert.Same(stored, await config.GetAsync("docker.io", "team/app", default));
        Assert.Single(File.ReadAllLines(Path.Combine(bin, "calls")), l => l == "https://index.docker.io/v1/");
        Assert.Null(await config.GetAsync("nothing.example", null, default));
    }

    [Fact]
    public async Task Missing_credential_helper_is_a_clear_error()
    {
        using var dir = new TempDir();
        string path = dir.Write("config.json", "{\"credsStore\": \"nope\"}");
        var config = DockerConfigFile.Load(path, new CredentialHelperRunner([dir.Path]));
        var e = await Assert.ThrowsAsync<XpkgException>(() => config.GetAsync("r.example", null, default));
        Assert.Contains("docker-credential-nope", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_config_path_honours_docker_config_then_home()
    {
        var env = new Dictionary<string, string?> { ["DOCKER_CONFIG"] = "/etc/dc", ["HOME"] = "/home/u" };
        Assert.Equal("/etc/dc/config.json", DockerConfigFile.DefaultPath(k => env.GetValueOrDefault(k)));
        env["DOCKER_CONFIG"] = "";
        Assert.Equal("/home/u/.docker/config.json", DockerConfigFile.DefaultPath(k => env.GetValueOrDefault(k)));
    }

    [Fact]
    public void Credential_files_are_docker_config_then_the_containers_auth_files_where_podman_looks()
    {
        var env = new Dictionary<string, string?> { ["HOME"] = "/home/u", ["XDG_RUNTIME_DIR"] = "/run/user/1000" };
        Assert.Equal(["/home/u/.docker/config.json", "/run/user/1000/containers/auth.json", "/home/u/.config/containers/auth.json"],
            CredentialFiles.DefaultPaths(env.GetValueOrDefault));
        env["REGISTRY_AUTH_FILE"] = "/etc/auth.json";
        env["XDG_CONFIG_HOME"] = "/cfg";
        env["DOCKER_CONFIG"] = "/dc";
        Assert.Equal(["/dc/config.json", "/etc/auth.json", "/cfg/containers/auth.json"], CredentialFiles.DefaultPaths(env.GetValueOrDefault));
    }

    [Fact]
    public async Task Each_credential_file_is_asked_in_turn_and_a_malformed_one_is_named()
    {
        using var dir = new TempDir();
        dir.Write("home/.docker/config.json", """{"auths": {"docker.example": {"username": "d", "password": "pd"}}}""");
        dir.Write("home/.config/containers/auth.json", """{"auths": {"podman.example/team/app": {"username": "p", "password": "pp"}, "docker.example": {"username": "shadowed", "password": "x"}}}""");
        var env = new Dictionary<string, string?> { ["HOME"] = Path.Combine(dir.Path, "home") };
        var files = CredentialFiles.Load(env.GetValueOrDefault);
        Assert.Equal("d", (await files.GetAsync("docker.example", null, default))?.Username);
        var podman = await files.GetAsync("podman.example", "team/app", default);
        Assert.Equal("p", podman?.Username);
        Assert.Contains("containers/auth.json", podman!.Source, StringComparison.Ordinal);
        Assert.Null(await files.GetAsync("none.example", null, default));
        Assert.Null(await files.GetAsync("podman.example", "team/other", default));

        env["REGISTRY_AUTH_FILE"] = dir.Write("bad.json", "{\"auths\": {\"x\": {\"password\": \"leaky\" ");
        var e = Assert.Throws<InvalidInputException>(() => CredentialFiles.Load(env.GetValueOrDefault));
        Assert.Contains("bad.json", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("leaky", e.Message, StringComparison.Ordinal);
    }

    private static void WriteHelper(string bin, string name, string body)
    {
        string file = Path.Combine(bin, "docker-credential-" + name);
        File.WriteAllText(file, "#!/bin/sh\n" + body + "\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }
}
