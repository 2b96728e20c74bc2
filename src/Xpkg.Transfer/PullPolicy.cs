using Xpkg.Oci;

namespace Xpkg.Transfer;

/// <summary>The same words as Kubernetes and Crossplane, with cli.md's meaning.</summary>
public enum PullPolicy
{
    /// <summary>Use the cache when it holds the reference, with no network traffic at all.</summary>
    IfNotPresent,

    /// <summary>Resolve at the registry every time; fetch what the cache lacks.</summary>
    Always,

    /// <summary>The cache only; never a connection.</summary>
    Never,
}

public static class PullPolicies
{
    public static PullPolicy Parse(string text) => text switch
    {
        "IfNotPresent" => PullPolicy.IfNotPresent,
        "Always" => PullPolicy.Always,
        "Never" => PullPolicy.Never,
        _ => throw new InvalidInputException($"invalid pull policy \"{text}\"", "use IfNotPresent, Always or Never"),
    };
}
