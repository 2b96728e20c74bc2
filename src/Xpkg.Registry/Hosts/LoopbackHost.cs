using System.Net;

namespace Xpkg.Registry.Hosts;

/// <summary>The loopback test of the scheme rule: by name only, never by DNS.</summary>
public static class LoopbackHost
{
    /// <summary>True for <c>localhost</c>, <c>*.localhost</c>, <c>127.0.0.0/8</c> and <c>::1</c>, with or without a port.</summary>
    public static bool IsLoopback(string authority)
    {
        string host = HostOf(authority);
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(host, out var ip) && IPAddress.IsLoopback(ip);
    }

    /// <summary><c>host</c> of <c>host[:port]</c> or <c>[v6]:port</c>.</summary>
    public static string HostOf(string authority)
    {
        if (authority.StartsWith('['))
        {
            int end = authority.IndexOf(']', StringComparison.Ordinal);
            return end > 0 ? authority[1..end] : authority;
        }

        int colon = authority.LastIndexOf(':');
        return colon > 0 && authority.IndexOf(':', StringComparison.Ordinal) == colon ? authority[..colon] : authority;
    }
}
