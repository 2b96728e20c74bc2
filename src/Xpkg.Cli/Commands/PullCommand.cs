using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class PullCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "the image or index to bring into the cache" };
        var command = new Command("pull", "bring an image or index into the cache, with Kubernetes pull-policy semantics")
        {
            reference, CommonOptions.Policy, CommonOptions.Platform, CommonOptions.AllPlatforms, CommonOptions.Jobs, CommonOptions.Referrers, CommonOptions.Explain,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var image = ImageReference.Parse(ctx.Get(reference)!);
            var policy = PullPolicies.Parse(ctx.Get(CommonOptions.Policy)!);
            var puller = new ImagePuller(ctx.StoreForReading, ctx.NewRegistryClient, ctx.Explain, ContainerdOptions.IsSet(ctx) ? () => ContainerdOptions.Connect(ctx) : null)
            {
                OpenForWriting = () => ctx.Store,
            };
            var result = await ProgressDisplay.RunAsync(ctx, observer => puller.PullAsync(image, policy, ctx.Offline, CommonOptions.CopyOptions(ctx, observer), ct));
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject
                {
                    ["ref"] = result.Reference.ToString(),
                    ["digest"] = result.Root.Digest.ToString(),
                    ["mediaType"] = result.Root.MediaType,
                    ["source"] = result.Source,
                });
            }
            else
            {
                ctx.Say($"{result.Reference}: {result.Root.Digest} (from the {result.Source})");
            }

            return 0;
        }, ct));
        return command;
    }
}
