using System.CommandLine;
using Xpkg.ContainerdClient;

namespace Xpkg.Cli;

/// <summary>Where containerd is: the global options that turn it on as a content source and target.</summary>
internal static class ContainerdOptions
{
    public static readonly Option<string?> Socket = new("--containerd-socket")
    {
        HelpName = "PATH",
        Description = "containerd's gRPC socket; reads and fills its image store (env XPKG_CONTAINERD_SOCKET; containerd commands default to "
            + ContainerdConnection.DefaultSocket + ")",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_CONTAINERD_SOCKET"),
    };

    public static readonly Option<string> Namespace = new("--containerd-namespace")
    {
        HelpName = "NS",
        Description = "containerd namespace (env XPKG_CONTAINERD_NAMESPACE; default k8s.io, the kubelet's)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_CONTAINERD_NAMESPACE") is { Length: > 0 } ns
            ? ns
            : ContainerdConnection.DefaultNamespace,
    };

    public static IEnumerable<Option> All => [Socket, Namespace];

    /// <summary>True when the user pointed xpkg at a containerd (flag or environment).</summary>
    public static bool IsSet(CliContext ctx) => !string.IsNullOrEmpty(ctx.Get(Socket));

    /// <summary>A store on the configured socket, or on containerd's default socket when none is configured.</summary>
    public static ContainerdStore Connect(CliContext ctx)
    {
        var store = ContainerdStore.Connect(ctx.Get(Socket), ctx.Get(Namespace));
        store.Explain = m => ctx.Explain.Add("containerd", m);
        return store;
    }
}
