using Xpkg.Oci;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Hosts;

public class HostResolverTests
{
    [Fact]
    public void Default_endpoint_is_verified_https_without_http_fallback()
    {
        var log = new ExplainLog();
        var eps = new HostResolver(new RegistryHostOptions()).Resolve("registry.example.com", log);
        var e = Assert.Single(eps);
        Assert.Equal("https://registry.example.com/v2", e.Root.ToString().TrimEnd('/'));
        Assert.False(e.Tls.SkipVerify);
        Assert.False(e.AllowHttpFallback);
        Assert.False(e.IsMirror);
        Assert.True(log.Contains("endpoint", "certificate verification"));
    }

    [Theory]
    [InlineData("localhost:5000")]
    [InlineData("127.0.0.1:5000")]
    [InlineData("127.1.2.3")]
    [InlineData("reg.localhost")]
    [InlineData("[::1]:5000")]
    public void Loopback_hosts_get_https_first_then_http_fallback(string host)
    {
        var e = Assert.Single(new HostResolver(new RegistryHostOptions()).Resolve(host));
        Assert.Equal("https", e.Root.Scheme);
        Assert.False(e.Tls.SkipVerify);
        Assert.True(e.AllowHttpFallback);
        Assert.Contains("loopback", e.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Docker_hub_is_reached_at_registry_1_without_ns()
    {
        var e = Assert.Single(new HostResolver(new RegistryHostOptions()).Resolve(ImageReference.DockerHub));
        Assert.Equal(HostResolver.DockerHubServer, e.Root.Host);
        Assert.False(e.IsMirror);
    }

    [Fact]
    public void Hosts_toml_hosts_are_tried_in_file_order_then_server_with_all_fields()
    {
        using var dir = new TempDir();
        dir.Write("certs.d/registry.example.com/ca.pem", "x");
        dir.Write("certs.d/registry.example.com/hosts.toml", """
            server = "https://registry.example.com"
            ca = "ca.pem"

            [host."http://mirror-b.internal:5000"]
              capabilities = ["pull", "resolve"]
              dial_timeout = "200ms"
              [host."http://mirror-b.internal:5000".header]
                x-custom = "1"
                x-list = ["a", "b"]

            [host."https://mirror-a.internal/prefix/v2/base"]
              capabilities = ["pull"]
              skip_verify = true
              override_path = true
              client = [["client.cert", "client.key"]]

            [host."mirror-c.internal"]
              ca = ["/abs/ca1.pem", "rel/ca2.pem"]
            """);
        var log = new ExplainLog();
        var eps = new HostResolver(new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") }).Resolve("registry.example.com", log);

        Assert.Equal(
            ["http://mirror-b.internal:5000/v2", "https://mirror-a.internal/prefix/v2/base", "https://mirror-c.internal/v2", "https://registry.example.com/v2"],
            eps.Select(e => e.Root.ToString().TrimEnd('/')));
        Assert.Equal(HostCapabilities.Pull | HostCapabilities.Resolve, eps[0].Capabilities);
        Assert.Equal(TimeSpan.FromMilliseconds(200), eps[0].DialTimeout);
        Assert.Equal(["a", "b"], eps[0].Headers["x-list"]);
        Assert.Equal(["1"], eps[0].Headers["x-custom"]);
        Assert.True(eps[0].IsMirror);
        Assert.True(eps[1].Tls.SkipVerify);
        Assert.Equal(HostCapabilities.Pull, eps[1].Capabilities);
        string hostDir = Path.Combine(dir.Path, "certs.d", "registry.example.com");
        Assert.Equal(new ClientCertificateFiles(Path.Combine(hostDir, "client.cert"), Path.Combine(hostDir, "client.key")), Assert.Single(eps[1].Tls.ClientCertificates));
        Assert.Equal(["/abs/ca1.pem", Path.Combine(hostDir, "rel/ca2.pem")], eps[2].Tls.CaFiles);
        Assert.Equal(HostCapabilities.All, eps[2].Capabilities);
        Assert.False(eps[3].IsMirror);
        Assert.Equal([Path.Combine(hostDir, "ca.pem")], eps[3].Tls.CaFiles);
        Assert.Contains("tried last", eps[3].Reason, StringComparison.Ordinal);
        Assert.True(log.Contains("endpoint", "1. http://mirror-b.internal:5000/v2"));

        // Resolve-only requests skip the pull-only mirror, and say so.
        var resolvers = new HostResolver(new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") }).Resolve("registry.example.com", HostCapabilities.Resolve, log);
        Assert.Equal(3, resolvers.Count);
        Assert.True(log.Contains("endpoint", "skipping https://mirror-a.internal"));
    }

    [Fact]
    public void Lookup_prefers_host_port_underscore_then_host_colon_port_then_default()
    {
        using var dir = new TempDir();
        string root = dir.Sub("certs.d");
        dir.Write("certs.d/_default/hosts.toml", "server = \"https://fallback.example\"\n");
        Assert.Equal("fallback.example", Assert.Single(new HostsDirectoryProbe(root).Resolve("reg.example:5000")).Root.Host);

        dir.Write("certs.d/reg.example:5000/hosts.toml", "server = \"http://colon.example:5000\"\n");
        Assert.Equal("colon.example", Assert.Single(new HostsDirectoryProbe(root).Resolve("reg.example:5000")).Root.Host);

        dir.Write("certs.d/reg.example_5000_/hosts.toml", "server = \"http://underscore.example:5000\"\n");
        var e = Assert.Single(new HostsDirectoryProbe(root).Resolve("reg.example:5000"));
        Assert.Equal("underscore.example", e.Root.Host);
        Assert.True(e.IsMirror); // another host than the reference names: requests carry ns
    }

    [Fact]
    public void Host_directory_without_hosts_toml_uses_docker_style_certificates()
    {
        using var dir = new TempDir();
        dir.Write("certs.d/reg.example:5443/ca.crt", "x");
        dir.Write("certs.d/reg.example:5443/client.cert", "x");
        dir.Write("certs.d/reg.example:5443/client.key", "x");
        var e = Assert.Single(new HostsDirectoryProbe(Path.Combine(dir.Path, "certs.d")).Resolve("reg.example:5443"));
        Assert.Equal("https://reg.example:5443/v2", e.Root.ToString().TrimEnd('/'));
        Assert.EndsWith("ca.crt", Assert.Single(e.Tls.CaFiles), StringComparison.Ordinal);
        Assert.EndsWith("client.key", Assert.Single(e.Tls.ClientCertificates).KeyFile, StringComparison.Ordinal);
    }

    [Fact]
    public void Legacy_cri_config_as_pasted_from_guides()
    {
        using var dir = new TempDir();
        string config = dir.Write("config.toml", """
            version = 2
            [plugins."io.containerd.grpc.v1.cri".registry.mirrors."local-registry:5000"]
              endpoint = ["http://local-registry:5000"]
            [plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]
              endpoint = ["https://mirror.example.com", "registry-1.docker.io"]
            [plugins."io.containerd.grpc.v1.cri".registry.configs."mirror.example.com".tls]
              insecure_skip_verify = true
              ca_file = "/etc/ca.pem"
              cert_file = "/etc/c.pem"
              key_file = "/etc/k.pem"
            [plugins."io.containerd.grpc.v1.cri".registry.configs."mirror.example.com".auth]
              username = "u"
              password = "s3cr3t-pass"
            """);
        var resolver = new HostResolver(new RegistryHostOptions { RegistryConfigFile = config });

        var local = Assert.Single(resolver.Resolve("local-registry:5000"));
        Assert.Equal("http://local-registry:5000/v2", local.Root.ToString().TrimEnd('/'));
        Assert.True(local.IsPlainHttp);
        Assert.False(local.IsMirror);

        var hub = resolver.Resolve("docker.io");
        Assert.Equal(["https://mirror.example.com/v2", "https://registry-1.docker.io/v2"], hub.Select(e => e.Root.ToString().TrimEnd('/')));
        Assert.True(hub[0].Tls.SkipVerify);
        Assert.Equal(["/etc/ca.pem"], hub[0].Tls.CaFiles);
        Assert.Equal(new ClientCertificateFiles("/etc/c.pem", "/etc/k.pem"), Assert.Single(hub[0].Tls.ClientCertificates));
        Assert.Equal("u", hub[0].ConfiguredCredential?.Username);
        Assert.Equal("s3cr3t-pass", hub[0].ConfiguredCredential?.Password);
        Assert.DoesNotContain("s3cr3t", hub[0].ConfiguredCredential!.ToString(), StringComparison.Ordinal);
        Assert.False(hub[1].Tls.SkipVerify);

        // No mirror entry: the registry itself, https.
        Assert.Equal("https", Assert.Single(resolver.Resolve("other.example")).Root.Scheme);
    }

    [Fact]
    public void Insecure_registry_and_ca_file_apply()
    {
        var resolver = new HostResolver(new RegistryHostOptions { InsecureRegistries = ["reg.example:5000"], CaFiles = ["/tmp/extra-ca.pem"] });
        var insecure = Assert.Single(resolver.Resolve("reg.example:5000"));
        Assert.True(insecure.Tls.SkipVerify);
        Assert.True(insecure.AllowHttpFallback);
        Assert.Contains("--insecure-registry", insecure.Reason, StringComparison.Ordinal);
        var other = Assert.Single(resolver.Resolve("other.example"));
        Assert.False(other.Tls.SkipVerify);
        Assert.Equal(["/tmp/extra-ca.pem"], other.Tls.CaFiles);
    }

    [Fact]
    public void Environment_fills_unset_options()
    {
        var env = new Dictionary<string, string?> { ["XPKG_INSECURE_REGISTRIES"] = "a:1, b", ["XPKG_CA_FILE"] = "/ca.pem", ["XPKG_HOSTS_DIR"] = "/h" };
        var o = new RegistryHostOptions().WithEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal(["a:1", "b"], o.InsecureRegistries);
        Assert.Equal(["/ca.pem"], o.CaFiles);
        Assert.Equal("/h", o.HostsDir);
        Assert.Null(o.RegistryConfigFile);
    }

    [Fact]
    public void Default_hosts_dir_is_used_only_when_none_is_given_and_it_exists()
    {
        using var dir = new TempDir();
        string existing = dir.Sub("certs.d");
        var used = new RegistryHostOptions().WithDefaultHostsDir(existing);
        Assert.Equal(existing, used.HostsDir);
        Assert.Equal("the default, as it exists", used.HostsDirOrigin);

        var none = new RegistryHostOptions().WithDefaultHostsDir(Path.Combine(dir.Path, "absent"));
        Assert.Null(none.HostsDir);
        Assert.Contains("does not exist", none.HostsDirOrigin, StringComparison.Ordinal);

        var given = new RegistryHostOptions().WithEnvironment(k => k == "XPKG_HOSTS_DIR" ? "/from-env" : null).WithDefaultHostsDir(existing);
        Assert.Equal("/from-env", given.HostsDir);
        Assert.Equal("from XPKG_HOSTS_DIR", given.HostsDirOrigin);
        var log = new ExplainLog();
        new HostResolver(given).Resolve("r.example", log);
        Assert.True(log.Contains("hosts", "hosts directory: /from-env (from XPKG_HOSTS_DIR)"));
    }

    [Fact]
    public void Bad_hosts_toml_is_bad_input()
    {
        using var dir = new TempDir();
        dir.Write("certs.d/r.example/hosts.toml", "server = \"https://r.example\"\n[host.\"https://m\"]\n  capabilities = [\"fly\"]\n");
        var e = Assert.Throws<InvalidInputException>(() => new HostsDirectoryProbe(Path.Combine(dir.Path, "certs.d")).Resolve("r.example"));
        Assert.Contains("fly", e.Message, StringComparison.Ordinal);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
    }

    [Theory]
    [InlineData("127.0.0.1:5000", true)]
    [InlineData("https://127.0.0.1:5000", false)]
    [InlineData("registry.example:5000", false)]
    public void Only_a_scheme_less_loopback_server_gets_the_http_fallback(string server, bool fallback)
    {
        using var dir = new TempDir();
        dir.Write("certs.d/_default/hosts.toml", $"server = \"{server}\"\n");
        var e = Assert.Single(new HostsDirectoryProbe(Path.Combine(dir.Path, "certs.d")).Resolve("any.example"));
        Assert.Equal("https", e.Root.Scheme);
        Assert.Equal(fallback, e.AllowHttpFallback);
    }

    [Fact]
    public void Directory_names_for_hosts_with_and_without_ports()
    {
        Assert.Equal(["reg.example_5000_", "reg.example:5000", "_default"], HostsDirectory.CandidateNames("reg.example:5000"));
        Assert.Equal(["[::1]_5000_", "[::1]:5000", "_default"], HostsDirectory.CandidateNames("[::1]:5000"));
        Assert.Equal(["reg.example", "_default"], HostsDirectory.CandidateNames("reg.example"));
    }

    [Fact]
    public void Go_durations_parse()
    {
        Assert.Equal(TimeSpan.FromSeconds(90), HostsTomlFile.ParseDuration("1m30s", "t"));
        Assert.Equal(TimeSpan.FromMilliseconds(1500), HostsTomlFile.ParseDuration("1.5s", "t"));
        Assert.Throws<InvalidInputException>(() => HostsTomlFile.ParseDuration("soon", "t"));
    }

    private sealed class HostsDirectoryProbe(string root)
    {
        public IReadOnlyList<RegistryEndpoint> Resolve(string host) => new HostResolver(new RegistryHostOptions { HostsDir = root }).Resolve(host);
    }
}
