using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class CopyCommand
{
    public static Command Create()
    {
        var source = new Argument<string>("SRC") { Description = "the registry reference to copy from" };
        var destination = new Argument<string>("DEST") { Description = "the registry reference to copy to" };
        var command = new Command("copy", "copy an image or index between registries, keeping digests and every platform")
        {
            source, destination, CommonOptions.Jobs, CommonOptions.Referrers, CommonOptions.Explain,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var from = ImageReference.Parse(ctx.Get(source)!);
            var to = ImageReference.Parse(ctx.Get(destination)!);
            if (ctx.Offline)
            {
                throw new XpkgException("copy between registries needs the network, and --offline opens no connection");
            }

            using var client = ctx.NewRegistryClient();
            var sourceRepository = client.Repository(from);
            var target = client.Repository(to);
            if (from.Registry == to.Registry && from.Repository != to.Repository)
            {
                target.MountSources.Add(from.Repository);
            }

            var root = await sourceRepository.ResolveAsync(from.Identifier, ct);
            target.RootTag = to.Tag is { } tag ? (root.Digest, tag) : null;
            var copy = await ProgressDisplay.RunAsync(ctx, observer => CopyEngine.CopyAsync(sourceRepository, root, target, CommonOptions.CopyOptions(ctx, observer, platformOptions: false), ct));
            await target.TagAsync(to.Tag ?? to.Digest?.ToString(), root, sourceRepository.Description, ct);
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject
                {
                    ["ref"] = to.ToString(),
                    ["digest"] = root.Digest.ToString(),
                    ["referrers"] = new JsonArray([.. copy.Referrers.Select(r => JsonValue.Create(r.Digest.ToString()))]),
                });
            }
            else
            {
                ctx.Say($"Copied {from} to {to} {root.Digest}{(copy.Referrers.Count > 0 ? $" with {copy.Referrers.Count} referrer(s)" : "")}");
            }

            return 0;
        }, ct));
        return command;
    }
}
