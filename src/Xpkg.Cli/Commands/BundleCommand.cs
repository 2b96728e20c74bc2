using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Install;
using Xpkg.Install.Bundles;
using Xpkg.Install.Input;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

/// <summary><c>xpkg bundle create -f FILE... --file bundle.tar</c>: every image an install of the manifests needs, in one oci-archive.</summary>
internal static class BundleCommand
{
    public static Command Create()
    {
        var files = InstallCommand.FilesOption();
        var file = new Option<string>("--file") { Description = "the oci-archive to write (load it elsewhere with xpkg load FILE)", Required = true };
        var explain = InstallCommand.ExplainOption();
        var crossplaneVersion = InstallCommand.CrossplaneVersionOption();
        var create = new Command("create", "resolve the manifests as install does (writing no state) and save every image of the closure, named, into one oci-archive")
        {
            files, file, explain, crossplaneVersion,
        };
        create.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var input = await ManifestReader.ReadAsync(ctx.Get(files) ?? [], ct);
            var options = new InstallOptions { Offline = ctx.Offline, CrossplaneVersion = ctx.Get(crossplaneVersion)! };
            var log = InstallCommand.NewLog(ctx, ctx.Get(explain));
            var result = await InstallCommand.WithSourceAsync(ctx, input, options, log, source => ProgressDisplay.RunAsync(ctx, observer =>
                new BundleCreator(ctx.Store, source, options).CreateAsync(input, ctx.Get(file)!, log, new CopyOptions { Observer = observer }, ct)));
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject
                {
                    ["file"] = result.File,
                    ["packages"] = result.Packages.Count,
                    ["images"] = new JsonArray(result.Images.Select(i => (JsonNode)new JsonObject
                    {
                        ["ref"] = i.Reference,
                        ["digest"] = i.Root.Digest.ToString(),
                        ["mediaType"] = i.Root.MediaType,
                    }).ToArray()),
                });
            }
            else
            {
                TextTable.Write(["IMAGE", "DIGEST"], result.Images.Select(i => new[] { i.DisplayName, Humanize.ShortDigest(i.Root.Digest) }).ToList());
                CliContext.Note($"bundle of {result.Packages.Count} packages ({result.Images.Count} images) written to {result.File}; on the air-gapped machine: xpkg load {result.File}, then xpkg install --offline -f ...");
            }

            return 0;
        }, ct));
        return new Command("bundle", "air-gap bundles of Crossplane packages") { create };
    }
}
