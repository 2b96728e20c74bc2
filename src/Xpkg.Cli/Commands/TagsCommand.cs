using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;

namespace Xpkg.Cli.Commands;

internal static class TagsCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "a repository (any tag or digest in it is ignored)" };
        var command = new Command("tags", "list the tags of a repository at its registry") { reference, CommonOptions.Explain };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var image = ImageReference.Parse(ctx.Get(reference)!);
            if (ctx.Offline)
            {
                throw new XpkgException($"tags of {image.Name} need the registry, and --offline opens no connection", "xpkg images lists what the cache holds");
            }

            using var client = ctx.NewRegistryClient();
            var tags = await client.Repository(image).ListTagsAsync(pageSize: null, ct);
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonArray(tags.Select(t => (JsonNode)t).ToArray()));
            }
            else
            {
                foreach (var t in tags)
                {
                    Console.Out.WriteLine(t);
                }
            }

            return 0;
        }, ct));
        return command;
    }
}
