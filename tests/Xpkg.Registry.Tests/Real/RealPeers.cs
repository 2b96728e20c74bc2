using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Real;

/// <summary>
/// Three docker-registry instances shared by the real-peer tests: plain HTTP, TLS with a test CA and bcrypt
/// htpasswd, and a pull-through proxy in front of the plain one. Started once, killed by PID at the end.
/// </summary>
public sealed class RealPeers : IDisposable
{
    public const string User = "testuser";
    public const string Password = "testpass";

    private readonly TempDir _dir = new();

    public RealPeers()
    {
        if (!DistributionRegistry.Available || !File.Exists("/usr/bin/skopeo") || !File.Exists("/usr/bin/htpasswd"))
        {
            return;
        }

        Certificates = TestCertificates.Create(Path.Combine(_dir.Path, "tls"));
        string htpasswd = Path.Combine(_dir.Path, "htpasswd");
        File.WriteAllText(htpasswd, Run.ToolAsync("/usr/bin/htpasswd", ["-Bbn", User, Password]).GetAwaiter().GetResult());
        Plain = DistributionRegistry.Start(Path.Combine(_dir.Path, "plain"));
        Secure = DistributionRegistry.Start(Path.Combine(_dir.Path, "secure"), Certificates, htpasswd);
        Proxy = DistributionRegistry.Start(Path.Combine(_dir.Path, "proxy"), proxyRemote: $"http://{Plain.Authority}");

        // The reference image, pushed by skopeo from an OCI layout this test wrote.
        Image = TestImage.Create(200_000, seed: 42);
        string layout = Path.Combine(_dir.Path, "layout");
        Image.WriteLayout(layout, "v1");
        Run.ToolAsync("/usr/bin/skopeo", ["copy", "--dest-tls-verify=false", $"oci:{layout}:v1", $"docker://{Plain.Authority}/test/skopeo:v1"], TimeSpan.FromSeconds(60))
            .GetAwaiter().GetResult();
    }

    /// <summary>Null when the peers are not installed; tests then say so instead of passing silently.</summary>
    public DistributionRegistry? Plain { get; }

    public DistributionRegistry? Secure { get; }

    public DistributionRegistry? Proxy { get; }

    public TestCertificates? Certificates { get; }

    public TestImage? Image { get; }

    public string Scratch => _dir.Path;

    public void Dispose()
    {
        Proxy?.Dispose();
        Secure?.Dispose();
        Plain?.Dispose();
        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class RealPeersCollection : ICollectionFixture<RealPeers>
{
    public const string Name = "real docker-registry peers";
}
