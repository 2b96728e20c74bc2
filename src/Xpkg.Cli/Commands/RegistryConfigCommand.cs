using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Server.ClusterConfig;

namespace Xpkg.Cli.Commands;

internal static class RegistryConfigCommand
{
    public static Command Create()
    {
        var addr = new Option<string>("--addr") { Description = "HOST:PORT at which cluster nodes reach xpkg serve", Required = true };
        var ca = new Option<string?>("--ca") { Description = "the CA certificate clients trust (xpkg serve --tls auto: <cache>/tls/ca.crt); without it, plain HTTP" };
        var prefix = new Option<string?>("--prefix") { Description = $"package references starting with this are pulled from HOST:PORT (default {RegistryClusterConfig.DefaultPrefix})" };
        var name = new Option<string?>("--name") { Description = $"name of the ImageConfig; the CA ConfigMap is NAME-ca (default {RegistryClusterConfig.DefaultName})" };
        var command = new Command("registry-config", "print the containerd, kind and Crossplane configuration for pulling from xpkg serve")
        {
            addr, ca, prefix, name,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, ctx =>
        {
            var config = RegistryClusterConfig.Create(ctx.Get(addr)!, ctx.Get(ca), ctx.Get(prefix), ctx.Get(name));
            if (config.Address.IsLoopback)
            {
                // Inside a kind node or a pod, loopback is that node or pod, not the machine running xpkg serve.
                CliContext.Note($"note: {config.Address.Host} inside a cluster node is the node itself; for kind, serve on an address the nodes reach (e.g. the kind network's gateway) and pass that to --addr");
            }

            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject
                {
                    ["hostsToml"] = config.HostsToml,
                    ["hostsDir"] = config.HostsDir,
                    ["kindConfig"] = config.KindConfig,
                    ["localRegistryHosting"] = config.LocalRegistryHosting,
                    ["imageConfig"] = config.ImageConfig,
                    ["helmValues"] = config.HelmValues,
                    ["caConfigMapCommand"] = config.CaConfigMapCommand,
                });
            }
            else
            {
                foreach (var (title, text) in config.Pieces())
                {
                    Console.Out.WriteLine($"# ---- {title} ----");
                    Console.Out.WriteLine(text);
                }
            }

            return Task.FromResult(0);
        }, ct));
        return command;
    }
}
