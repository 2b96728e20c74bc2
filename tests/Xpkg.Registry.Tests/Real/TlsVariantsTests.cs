using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Tests.Support;

namespace Xpkg.Registry.Tests.Real;

/// <summary>TLS settings against real TLS registries: skipping verification, and client certificates.</summary>
[Collection(RealPeersCollection.Name)]
public class TlsVariantsTests(RealPeers peers)
{
    [Fact]
    public async Task Skip_verify_in_hosts_toml_and_insecure_registry_accept_an_unknown_ca()
    {
        var secure = peers.Secure ?? throw new InvalidOperationException("docker-registry is not installed");
        var creds = new StaticCredentialProvider().Add(secure.Authority, new Credential(RealPeers.User, RealPeers.Password, source: "test"));
        using var dir = new TempDir();
        dir.Write($"certs.d/{secure.Authority}/hosts.toml", $"server = \"https://{secure.Authority}\"\n[host.\"https://{secure.Authority}\"]\n  skip_verify = true\n");
        foreach (var hosts in new[]
        {
            new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") },
            new RegistryHostOptions { InsecureRegistries = [secure.Authority] },
        })
        {
            var options = TestClients.Options(creds, hosts);
            using var client = new RegistryClient(options);
            var endpoint = await client.PingAsync(secure.Authority, default);
            Assert.Equal("https", endpoint.Root.Scheme);
            Assert.True(options.Log.Contains("endpoint", "TLS verification skipped"));
            await Assert.ThrowsAsync<RegistryResponseException>(() => client.ResolveAsync(ImageReference.Parse($"{secure.Authority}/test/none:v1"), default));
        }
    }

    [Fact]
    public async Task Client_certificates_from_hosts_toml_or_a_docker_style_directory()
    {
        var certs = peers.Certificates ?? throw new InvalidOperationException("docker-registry is not installed");
        using var dir = new TempDir();
        using var mtls = DistributionRegistry.Start(Path.Combine(dir.Path, "mtls"), certs, requireClientCertificate: true);
        var image = TestImage.Create(10_000, seed: 11);

        dir.Write($"hosts/{mtls.Authority}/hosts.toml", $"""
            server = "https://{mtls.Authority}"
            ca = "{certs.CaFile}"
            client = [["{certs.ClientCertFile}", "{certs.ClientKeyFile}"]]
            """);
        using (var client = new RegistryClient(TestClients.Options(hosts: new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "hosts") })))
        {
            await image.PushAsync(client.Repository(mtls.Authority, "test/mtls"), "v1");
        }

        string dockerDir = dir.Sub($"docker/{mtls.Authority}");
        File.Copy(certs.CaFile, Path.Combine(dockerDir, "ca.crt"));
        File.Copy(certs.ClientCertFile, Path.Combine(dockerDir, "client.cert"));
        File.Copy(certs.ClientKeyFile, Path.Combine(dockerDir, "client.key"));
        using (var client = new RegistryClient(TestClients.Options(hosts: new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "docker") })))
        {
            Assert.Equal(image.Manifest.Digest, (await client.ResolveAsync(ImageReference.Parse($"{mtls.Authority}/test/mtls:v1"), default)).Digest);
        }

        using var without = new RegistryClient(TestClients.Options(hosts: new RegistryHostOptions { CaFiles = [certs.CaFile] }, maxAttempts: 1));
        var e = await Assert.ThrowsAnyAsync<XpkgException>(() => without.ResolveAsync(ImageReference.Parse($"{mtls.Authority}/test/mtls:v1"), default));
        Assert.Contains(mtls.Authority, e.Message, StringComparison.Ordinal);
        Assert.Contains("client certificate", e.Hint, StringComparison.Ordinal);
    }
}
