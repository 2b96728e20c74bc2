using System.Net.Sockets;
using Xpkg.Oci;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Tests.Support;

namespace Xpkg.Registry.Tests.Fake;

/// <summary>Which endpoint answers, and the errors when none can.</summary>
public class EndpointSelectionTests
{
    private const string Repo = "test/app";
    private static readonly byte[] Index = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();

    private static FakeResponse IndexResponse() => new() { Body = Index, Headers = { ["Content-Type"] = MediaTypes.OciIndex } };

    [Fact]
    public async Task Failing_mirrors_fall_through_to_the_server_and_mirrors_get_ns()
    {
        await using var broken = new FakeRegistry(r => FakeResponse.Json("{}", 500));
        await using var empty = new FakeRegistry(r => FakeResponse.Json("""{"errors":[{"code":"MANIFEST_UNKNOWN"}]}""", 404));
        await using var server = new FakeRegistry(r => IndexResponse());
        using var dir = new TempDir();
        string registry = "registry.test:" + server.Port;
        dir.Write($"certs.d/registry.test_{server.Port}_/hosts.toml", $"""
            server = "http://{registry}"
            [host."http://127.0.0.1:{broken.Port}"]
              capabilities = ["pull", "resolve"]
            [host."http://127.0.0.1:{empty.Port}"]
              capabilities = ["pull", "resolve"]
            """);
        var options = TestClients.Options(hosts: new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") }, maxAttempts: 1);
        using var client = new RegistryClient(options);
        var d = await client.ResolveAsync(ImageReference.Parse($"{registry}/{Repo}:v1"), default);
        Assert.Equal(Digest.Compute(Index), d.Digest);
        Assert.All(broken.Requests.Concat(empty.Requests), r => Assert.Contains("ns=" + Uri.EscapeDataString(registry), r.Query, StringComparison.Ordinal));
        Assert.All(server.Requests, r => Assert.DoesNotContain("ns=", r.Query, StringComparison.Ordinal));
        Assert.True(options.Log.Contains("fallback", $"http://127.0.0.1:{broken.Port}/v2 failed"));
        Assert.True(options.Log.Contains("answer", $"answered by http://{registry}/v2"));
    }

    [Fact]
    public async Task Http_answer_to_https_names_the_host_and_the_fix()
    {
        await using var plain = new FakeRegistry(r => IndexResponse());
        string registry = "registry.test:" + plain.Port; // not loopback by name: no silent HTTP fallback
        using var client = new RegistryClient(TestClients.Options(maxAttempts: 1));
        var e = await Assert.ThrowsAsync<RegistryConnectionException>(() => client.ResolveAsync(ImageReference.Parse($"{registry}/{Repo}:v1"), default));
        Assert.Contains($"{registry} did not answer TLS", e.Message, StringComparison.Ordinal);
        Assert.Contains($"--insecure-registry {registry}", e.Hint, StringComparison.Ordinal);
        Assert.Contains($"server = \"http://{registry}\"", e.Hint, StringComparison.Ordinal);
        Assert.Empty(plain.Requests); // nothing but a TLS hello went there
        Assert.True(plain.Connections > 0);
    }

    [Fact]
    public async Task Loopback_and_insecure_hosts_fall_back_to_http_after_the_handshake_fails()
    {
        await using var plain = new FakeRegistry(r => IndexResponse());
        var options = TestClients.Options();
        using (var client = new RegistryClient(options))
        {
            await client.ResolveAsync(ImageReference.Parse($"{plain.Authority}/{Repo}:v1"), default);
        }

        Assert.True(options.Log.Contains("fallback", "using plain HTTP (loopback host)"));

        var insecure = TestClients.Options(hosts: new RegistryHostOptions { InsecureRegistries = [$"registry.test:{plain.Port}"] });
        using var client2 = new RegistryClient(insecure);
        await client2.ResolveAsync(ImageReference.Parse($"registry.test:{plain.Port}/{Repo}:v1"), default);
        Assert.True(insecure.Log.Contains("fallback", "--insecure-registry"));
    }

    [Fact]
    public async Task Connection_refused_and_dns_failure_have_their_own_messages()
    {
        int port;
        using (var l = new TcpListener(System.Net.IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
        }

        using var client = new RegistryClient(TestClients.Options(maxAttempts: 2));
        var refused = await Assert.ThrowsAsync<RegistryConnectionException>(() => client.ResolveAsync(ImageReference.Parse($"127.0.0.1:{port}/{Repo}:v1"), default));
        Assert.Contains($"connection refused by 127.0.0.1:{port}", refused.Message, StringComparison.Ordinal);
        Assert.Contains("is the registry running", refused.Hint, StringComparison.Ordinal);

        var dns = await Assert.ThrowsAsync<RegistryConnectionException>(() => client.ResolveAsync(ImageReference.Parse($"no-such-host.example/{Repo}:v1"), default));
        Assert.Contains("cannot resolve registry host no-such-host.example", dns.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hosts_toml_headers_and_override_path_reach_the_mirror()
    {
        await using var mirror = new FakeRegistry(r => IndexResponse());
        using var dir = new TempDir();
        dir.Write("certs.d/registry.test/hosts.toml", $"""
            [host."http://127.0.0.1:{mirror.Port}/custom/api"]
              capabilities = ["pull", "resolve"]
              override_path = true
              [host."http://127.0.0.1:{mirror.Port}/custom/api".header]
                X-Mirror-Token = "abc"
            """);
        var options = TestClients.Options(hosts: new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") });
        using var client = new RegistryClient(options);
        await client.Repository("registry.test", Repo).GetManifestAsync("v1", default);
        var r = Assert.Single(mirror.Requests);
        Assert.Equal($"/custom/api/{Repo}/manifests/v1", r.Path);
        Assert.Equal("ns=registry.test", r.Query);
        Assert.Equal("abc", r.Header("X-Mirror-Token"));
    }

    [Fact]
    public async Task Ping_returns_the_endpoint_that_answered()
    {
        await using var server = new FakeRegistry(r => r.Path == "/v2/" ? FakeResponse.Json("{}") : FakeResponse.Json("{}", 404));
        using var client = new RegistryClient(TestClients.Options());
        var endpoint = await client.PingAsync(server.Authority, default);
        Assert.True(endpoint.IsPlainHttp);
        Assert.Equal("/v2/", Assert.Single(server.Requests).Path);
    }

    [Fact]
    public async Task Offline_opens_no_connection()
    {
        await using var server = new FakeRegistry(r => IndexResponse());
        using var client = new RegistryClient(TestClients.Options() with { Offline = true });
        var e = await Assert.ThrowsAsync<XpkgException>(() => client.ResolveAsync(ImageReference.Parse($"{server.Authority}/{Repo}:v1"), default));
        Assert.Contains("offline", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, server.Connections);
    }

    [Fact]
    public async Task Plain_http_to_a_tls_registry_says_to_use_https()
    {
        await using var tlsOnly = new FakeRegistry(r => new FakeResponse { Status = 400, Body = "Client sent an HTTP request to an HTTPS server.\n"u8.ToArray() });
        using var dir = new TempDir();
        dir.Write($"certs.d/{tlsOnly.Authority}/hosts.toml", $"server = \"http://{tlsOnly.Authority}\"\n");
        using var client = new RegistryClient(TestClients.Options(hosts: new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") }));
        var e = await Assert.ThrowsAsync<RegistryResponseException>(() => client.ResolveAsync(ImageReference.Parse($"{tlsOnly.Authority}/{Repo}:v1"), default));
        Assert.Contains("speaks HTTPS", e.Message, StringComparison.Ordinal);
        Assert.Contains($"https://{tlsOnly.Authority}", e.Hint, StringComparison.Ordinal);
    }
}
