using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci.Archives;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class SaveCommand
{
    public static Command Create()
    {
        var refs = new Argument<string[]>("REF") { Description = "references or digests in the cache", Arity = ArgumentArity.OneOrMore };
        var file = new Option<string>("--file", "-f") { Description = "the archive to write", Required = true };
        var format = new Option<string>("--format") { Description = "oci (an oci-archive tarball) or docker (docker-save, loadable by docker, podman and ctr)", DefaultValueFactory = _ => "oci" };
        format.AcceptOnlyFromAmong("oci", "docker");
        var command = new Command("save", "export images from the cache into an archive") { refs, file, format };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string target = ctx.Get(file)!;
            var archiveFormat = ctx.Get(format) == "docker" ? ArchiveFormat.Docker : ArchiveFormat.Oci;
            var saver = new ArchiveSaver(ctx.Store);
            var saved = await ProgressDisplay.RunAsync(ctx, observer => saver.SaveAsync(ctx.Get(refs)!, target, archiveFormat, new CopyOptions { Observer = observer }, ct));
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject
                {
                    ["file"] = Path.GetFullPath(target),
                    ["digests"] = new JsonArray(saved.Select(s => (JsonNode)s.Root.Digest.ToString()).ToArray()),
                });
            }
            else
            {
                ctx.Say($"Saved {saved.Count} image(s) to {target}");
            }

            return 0;
        }, ct));
        return command;
    }
}
