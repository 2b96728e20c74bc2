using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Xpkg.Oci;

namespace Xpkg.Server.ClusterConfig;

/// <summary>
/// The <c>HOST:PORT</c> that cluster nodes use to reach <c>xpkg serve</c>. Unlike the bind address, the host may be
/// a DNS name (a node may know the registry by a name such as a docker network alias).
/// </summary>
public sealed record RegistryAddress(string Host, int Port)
{
    /// <summary><c>host:port</c> as containerd names the <c>certs.d</c> directory and as image references spell it.</summary>
    public string Authority => $"{Host}:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>True for names that only reach the machine they are used on.</summary>
    public bool IsLoopback => Host == "localhost" || (IPAddress.TryParse(Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    public static RegistryAddress Parse(string address)
    {
        int colon = address.LastIndexOf(':');
        if (colon <= 0
            || !int.TryParse(address.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port)
            || port is < 1 or > 65535)
        {
            throw Invalid(address, "the port must be a number from 1 to 65535");
        }

        string host = address[..colon];
        if (!IsValidHost(host))
        {
            throw Invalid(address, $"{host} is not an IP address or DNS name (write an IPv6 address as [::1])");
        }

        return new RegistryAddress(host.ToLowerInvariant(), port);
    }

    private static bool IsValidHost(string host)
    {
        if (host.StartsWith('[') && host.EndsWith(']'))
        {
            return IPAddress.TryParse(host[1..^1], out var v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;
        }

        if (IPAddress.TryParse(host, out var ip))
        {
            // An IPv6 address without brackets would be ambiguous with its port; "1" parses as an IPv4 address.
            return ip.AddressFamily == AddressFamily.InterNetwork && host.Count(c => c == '.') == 3;
        }

        return host.Length <= 253 && host.Split('.').All(IsDnsLabel);
    }

    private static bool IsDnsLabel(string label)
        => label.Length is > 0 and <= 63 && label[0] != '-' && label[^1] != '-' && label.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');

    private static InvalidInputException Invalid(string address, string why)
        => new($"invalid address \"{address}\": {why}", "use the HOST:PORT that cluster nodes reach xpkg serve at, e.g. 172.18.0.1:5000 or registry.local:5000");
}
