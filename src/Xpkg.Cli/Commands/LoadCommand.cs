using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class LoadCommand
{
    public static Command Create()
    {
        var path = new Argument<string>("PATH") { Description = "a docker-save tarball (.xpkg files are one), an oci-archive tarball or an OCI layout directory" };
        var tag = new Option<string?>("--tag") { Description = "name the image (for untagged images, or an archive of one image)" };
        var intoContainerd = new Option<bool>("--into-containerd") { Description = "then copy the loaded images into containerd (see --containerd-socket) and name them there" };
        var command = new Command("load", "import an archive or OCI layout into the cache, keeping manifests byte-exact") { path, tag, intoContainerd };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string file = ctx.Get(path)!;
            var loader = new ArchiveLoader(ctx.Store);
            var result = await ProgressDisplay.RunAsync(ctx, observer => loader.LoadAsync(file, ctx.Get(tag), new CopyOptions { Observer = observer }, ct));

            foreach (var note in result.Notes)
            {
                CliContext.Note("note: " + note);
            }

            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonArray(result.Images.Select(i => (JsonNode)new JsonObject
                {
                    ["ref"] = i.Reference,
                    ["digest"] = i.Root.Digest.ToString(),
                    ["mediaType"] = i.Root.MediaType,
                }).ToArray()));
            }
            else
            {
                foreach (var i in result.Images)
                {
                    ctx.Say($"Loaded {i.Reference ?? "untagged image"} {i.Root.Digest}");
                }
            }

            if (ctx.Get(intoContainerd))
            {
                await LoadIntoContainerd.RunAsync(ctx, result, ct);
            }

            return 0;
        }, ct));
        return command;
    }
}
