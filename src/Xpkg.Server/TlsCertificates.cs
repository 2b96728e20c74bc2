using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Xpkg.Oci;

namespace Xpkg.Server;

/// <summary>
/// Certificates for <c>--tls auto</c>: a local CA and a server certificate it signs, kept as PEM files in a
/// directory (under the cache) and reused on restart. The server certificate is re-issued when it nears
/// expiry or lacks a requested name; the CA is kept, so clients that trust it keep working.
/// </summary>
public static class TlsCertificates
{
    public const string CaCertificateFile = "ca.crt";
    private const string CaKeyFile = "ca.key";
    private const string ServerCertificateFile = "server.crt";
    private const string ServerKeyFile = "server.key";

    /// <summary>The names every auto certificate carries, plus <paramref name="extraNames"/>.</summary>
    public static IReadOnlyList<string> DefaultNames(IEnumerable<string> extraNames)
        => new[] { "localhost", "127.0.0.1", "::1", Dns.GetHostName() }.Concat(extraNames)
            .Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Loads or creates the CA and a server certificate for <paramref name="names"/> in <paramref name="directory"/>.</summary>
    public static X509Certificate2 LoadOrCreateAuto(string directory, IReadOnlyList<string> names)
    {
        Directory.CreateDirectory(directory);
        string caCert = Path.Combine(directory, CaCertificateFile);
        string caKey = Path.Combine(directory, CaKeyFile);
        if (!File.Exists(caCert) || !File.Exists(caKey))
        {
            using var created = CreateCa();
            WritePem(caCert, caKey, created);
        }

        using var ca = X509Certificate2.CreateFromPemFile(caCert, caKey);
        string serverCert = Path.Combine(directory, ServerCertificateFile);
        string serverKey = Path.Combine(directory, ServerKeyFile);
        if (File.Exists(serverCert) && File.Exists(serverKey))
        {
            var existing = X509Certificate2.CreateFromPemFile(serverCert, serverKey);
            if (existing.NotAfter > DateTime.Now.AddDays(30) && names.All(n => existing.MatchesHostname(n, allowWildcards: false))
                && existing.Issuer == ca.Subject)
            {
                return existing;
            }

            existing.Dispose();
        }

        var server = CreateServer(ca, names);
        WritePem(serverCert, serverKey, server);
        return server;
    }

    /// <summary>The user's own certificate and key (PEM).</summary>
    public static X509Certificate2 LoadPem(string certificateFile, string keyFile)
    {
        try
        {
            return X509Certificate2.CreateFromPemFile(certificateFile, keyFile);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            throw new InvalidInputException($"cannot load the TLS certificate {certificateFile} with key {keyFile}: {e.Message}",
                "give a PEM certificate and its unencrypted PEM private key");
        }
    }

    private static X509Certificate2 CreateCa()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=xpkg local registry CA", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(10));
    }

    private static X509Certificate2 CreateServer(X509Certificate2 ca, IReadOnlyList<string> names)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            if (IPAddress.TryParse(name, out var ip))
            {
                san.AddIpAddress(ip);
            }
            else
            {
                san.AddDnsName(name);
            }
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));

        // Good for a year and re-issued a month before it ends; an earlier start tolerates clock skew.
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7f;
        using var signed = request.Create(ca, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(397) < ca.NotAfter ? DateTimeOffset.UtcNow.AddDays(397) : ca.NotAfter, serial);
        return signed.CopyWithPrivateKey(key);
    }

    private static void WritePem(string certificatePath, string keyPath, X509Certificate2 certificate)
    {
        string keyPem = certificate.GetECDsaPrivateKey()?.ExportPkcs8PrivateKeyPem()
            ?? certificate.GetRSAPrivateKey()?.ExportPkcs8PrivateKeyPem()
            ?? throw new InvalidOperationException("certificate has no private key");
        File.WriteAllText(keyPath + ".tmp", keyPem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(keyPath + ".tmp", UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        File.Move(keyPath + ".tmp", keyPath, overwrite: true);
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
    }
}
