using System.Net;
using System.Net.Http;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Xpkg.Testing;

/// <summary>A throw-away CA and a server certificate for 127.0.0.1/localhost it signed, written as PEM files.</summary>
public sealed record TestCertificates(string CaFile, string CertFile, string KeyFile, string ClientCertFile, string ClientKeyFile)
{
    public static TestCertificates Create(string dir)
    {
        Directory.CreateDirectory(dir);
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=xpkg test CA", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        using var ca = caRequest.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        byte[] serial = new byte[8];
        RandomNumberGenerator.Fill(serial);
        using var leaf = request.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(6), serial);

        // A client certificate from the same CA, for registries that ask for one (mutual TLS).
        using var clientKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var clientRequest = new CertificateRequest("CN=xpkg test client", clientKey, HashAlgorithmName.SHA256);
        clientRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        RandomNumberGenerator.Fill(serial);
        using var client = clientRequest.Create(ca, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(6), serial);

        var result = new TestCertificates(Path.Combine(dir, "ca.pem"), Path.Combine(dir, "cert.pem"), Path.Combine(dir, "key.pem"),
            Path.Combine(dir, "client.cert"), Path.Combine(dir, "client.key"));
        File.WriteAllText(result.ClientCertFile, client.ExportCertificatePem() + "\n");
        File.WriteAllText(result.ClientKeyFile, clientKey.ExportPkcs8PrivateKeyPem() + "\n");
        File.WriteAllText(result.CaFile, ca.ExportCertificatePem() + "\n");
        File.WriteAllText(result.CertFile, leaf.ExportCertificatePem() + "\n");
        File.WriteAllText(result.KeyFile, key.ExportPkcs8PrivateKeyPem() + "\n");
        return result;
    }

    /// <summary>
    /// A handler that trusts the CA in <paramref name="caFile"/> alone, not the machine's roots; <paramref name="validated"/>
    /// hears the verdict of each chain it builds.
    /// </summary>
    public static SocketsHttpHandler TrustingOnly(string caFile, Action<bool>? validated = null)
    {
        var ca = X509Certificate2.CreateFromPem(File.ReadAllText(caFile));
        return new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, cert, _, errors) =>
                {
                    if (cert is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    bool valid = chain.Build(new X509Certificate2(cert));
                    validated?.Invoke(valid);
                    return valid;
                },
            },
        };
    }
}
