using System.Net;
using System.Net.Sockets;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;

namespace Xpkg.Registry.Tests.Support;

public static class TestClients
{
    /// <summary>Options for tests: fast retries, no user config, and no DNS (unknown names fail as "not found").</summary>
    public static RegistryClientOptions Options(ICredentialProvider? credentials = null, RegistryHostOptions? hosts = null, int maxAttempts = 3)
        => new()
        {
            Credentials = credentials ?? new StaticCredentialProvider(),
            Hosts = hosts ?? new RegistryHostOptions(),
            MaxAttempts = maxAttempts,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
            IdleTimeout = TimeSpan.FromSeconds(20),
            HostNameOverride = MapTestNames,
        };

    /// <summary><c>*.test</c> and <c>local-registry</c> mean 127.0.0.1; any other name is "host not found" (no DNS traffic).</summary>
    public static IPAddress? MapTestNames(string host)
    {
        if (IPAddress.TryParse(host, out var ip))
        {
            return ip;
        }

        if (host.EndsWith(".test", StringComparison.Ordinal) || host == "local-registry" || host == "localhost")
        {
            return IPAddress.Loopback;
        }

        throw new SocketException((int)SocketError.HostNotFound);
    }

    public static (Descriptor Descriptor, byte[] Bytes) Blob(int size, int seed = 1, string mediaType = MediaTypes.OciLayerGzip)
    {
        byte[] data = new byte[size];
        new Random(seed).NextBytes(data);
        return (Descriptor.For(mediaType, data), data);
    }

    public static async Task<byte[]> ReadAllAsync(Stream s)
    {
        using var ms = new MemoryStream();
        await s.CopyToAsync(ms);
        return ms.ToArray();
    }
}
