namespace Xpkg.Registry.Hosts;

/// <summary>What an endpoint may be used for, with containerd's words.</summary>
[Flags]
public enum HostCapabilities
{
    None = 0,

    /// <summary>Fetch content by digest.</summary>
    Pull = 1,

    /// <summary>Turn a tag into a digest.</summary>
    Resolve = 2,

    Push = 4,
    All = Pull | Resolve | Push,
}

internal static class HostCapabilitiesParser
{
    public static HostCapabilities Parse(IEnumerable<string> words, string where)
    {
        var caps = HostCapabilities.None;
        foreach (string w in words)
        {
            caps |= w.Trim().ToLowerInvariant() switch
            {
                "pull" => HostCapabilities.Pull,
                "resolve" => HostCapabilities.Resolve,
                "push" => HostCapabilities.Push,
                "referrers" => HostCapabilities.None, // newer containerd word; referrers ride on pull here
                _ => throw new Oci.InvalidInputException($"{where}: unknown capability \"{w}\"", "capabilities are \"pull\", \"resolve\" and \"push\""),
            };
        }

        return caps;
    }

    public static string Describe(HostCapabilities caps)
        => caps == HostCapabilities.None ? "none" : string.Join(",", new[] { HostCapabilities.Pull, HostCapabilities.Resolve, HostCapabilities.Push }
            .Where(c => caps.HasFlag(c)).Select(c => c.ToString().ToLowerInvariant()));
}
