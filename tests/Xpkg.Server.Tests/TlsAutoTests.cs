using System.Net;
using System.Security.Cryptography.X509Certificates;
using Xpkg.Server;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary><c>--tls auto</c>: a local CA and server certificate, trusted through the CA alone, reused on restart.</summary>
public sealed class TlsAutoTests : IAsyncLifetime
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "xpkg-tls-tests-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public void AutoCertificate_HasTheDefaultAndExtraNames_AndIsReusedOnRestart()
    {
        var names = TlsCertificates.DefaultNames(["registry.example.test", "10.1.2.3"]);
        Assert.Contains("localhost", names);
        Assert.Contains("127.0.0.1", names);
        Assert.Contains("::1", names);
        Assert.Contains(Dns.GetHostName(), names);

        using var first = TlsCertificates.LoadOrCreateAuto(_directory, names);
        foreach (string name in names)
        {
            Assert.True(first.MatchesHostname(name), name);
        }

        using var second = TlsCertificates.LoadOrCreateAuto(_directory, names);
        Assert.Equal(first.Thumbprint, second.Thumbprint);

        // Asking for a new name re-issues the server certificate under the same CA.
        using var third = TlsCertificates.LoadOrCreateAuto(_directory, [.. names, "another.test"]);
        Assert.NotEqual(first.Thumbprint, third.Thumbprint);
        Assert.Equal(first.Issuer, third.Issuer);
    }

    [Fact]
    public async Task Server_OverTls_IsTrustedByAClientThatTrustsOnlyTheCa()
    {
        var certificate = TlsCertificates.LoadOrCreateAuto(_directory, TlsCertificates.DefaultNames([]));
        await using var fixture = new TlsFixture(certificate, Path.Combine(_directory, TlsCertificates.CaCertificateFile));
        await fixture.InitializeAsync();
        Assert.Equal("https", fixture.Server.BaseAddress.Scheme);
        using var response = await fixture.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(fixture.Validated);

        // skopeo with the CA in a cert dir, as a real client would be set up.
        string certDir = Path.Combine(_directory, "client-certs");
        Directory.CreateDirectory(certDir);
        File.Copy(Path.Combine(_directory, TlsCertificates.CaCertificateFile), Path.Combine(certDir, "ca.crt"));
        string layout = Path.Combine(_directory, "layout");
        var (tiny, _) = TestLayout.Write(layout);
        string host = fixture.Server.BaseAddress.Authority;
        await Run.ToolAsync("skopeo", "copy", "--dest-cert-dir", certDir, $"oci:{layout}:tiny", $"docker://{host}/tls/tiny:latest");
        string raw = await Run.ToolAsync("skopeo", "inspect", "--raw", "--cert-dir", certDir, $"docker://{host}/tls/tiny:latest");
        Assert.Equal(tiny, Xpkg.Oci.Digest.Compute(System.Text.Encoding.UTF8.GetBytes(raw)));
    }

    [Fact]
    public async Task OwnCertificate_FromOpensslPem_IsServed()
    {
        Directory.CreateDirectory(_directory);
        string cert = Path.Combine(_directory, "cert.pem");
        string key = Path.Combine(_directory, "key.pem");
        await Run.ToolAsync("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-keyout", key, "-out", cert);
        var certificate = TlsCertificates.LoadPem(cert, key);
        Assert.True(certificate.HasPrivateKey);
        await using var fixture = new TlsFixture(certificate, cert);
        await fixture.InitializeAsync();
        using var response = await fixture.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(fixture.Validated);
    }

    [Fact]
    public void OwnCertificate_WithTheWrongKey_IsABadInputError()
    {
        Directory.CreateDirectory(_directory);
        using var one = TlsCertificates.LoadOrCreateAuto(Path.Combine(_directory, "one"), ["localhost"]);
        TlsCertificates.LoadOrCreateAuto(Path.Combine(_directory, "two"), ["localhost"]).Dispose();
        var e = Assert.Throws<Xpkg.Oci.InvalidInputException>(() =>
            TlsCertificates.LoadPem(Path.Combine(_directory, "one", "server.crt"), Path.Combine(_directory, "two", "server.key")));
        Assert.Contains("cannot load the TLS certificate", e.Message, StringComparison.Ordinal);
    }

    private sealed class TlsFixture(X509Certificate2 certificate, string caFile) : RegistryFixture, IAsyncDisposable
    {
        public bool Validated { get; private set; }

        protected override RegistryServerOptions Configure(RegistryServerOptions options) => options with { Certificate = certificate };

        protected override HttpMessageHandler CreateHandler() => TestCertificates.TrustingOnly(caFile, valid => Validated = valid);

        async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
    }
}
