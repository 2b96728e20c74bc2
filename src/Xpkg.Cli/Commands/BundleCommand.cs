using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Install;
using Xpkg.Install.Bundles;
using Xpkg.Install.Input;
using Xpkg.Oci;
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
        var platform = new Option<string[]>("--platform")
        {
            Description = "OS/ARCH[/VARIANT] (repeat it, or a comma list): of each multi-platform image, bundle these platforms' manifests only, fetching what the cache lacks",
        };
        var create = new Command("create", "resolve the manifests as install does (writing no state) and save every image of the closure, named, into one oci-archive")
        {
            files, file, explain, crossplaneVersion, platform, CommonOptions.AllPlatforms,
        };
        create.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var input = await ManifestReader.ReadAsync(ctx.Get(files) ?? [], ct);
            var options = new InstallOptions { Offline = ctx.Offline, CrossplaneVersion = ctx.Get(crossplaneVersion)! };
            var platforms = Platforms(ctx.Get(platform) ?? [], ctx.Get(CommonOptions.AllPlatforms));
            var log = InstallCommand.NewLog(ctx, ctx.Get(explain));
            var result = await InstallCommand.WithSourceAsync(ctx, input, options, log, source => ProgressDisplay.RunAsync(ctx, observer =>
                new BundleCreator(ctx.Store, source, options).CreateAsync(input, ctx.Get(file)!, platforms, log, new CopyOptions { Observer = observer }, ct)));
            // On stderr in both modes: a bundle that cannot run on another platform is what this warns of.
            foreach (var index in result.Partial)
            {
                CliContext.Note($"note: {index.Reference} is a multi-platform image; the bundle holds {string.Join(", ", index.Included)} of it, not {string.Join(", ", index.Missing)} (the cache lacks them); "
                    + "add --all-platforms, or --platform OS/ARCH for the machines it is for, to fetch and bundle them");
            }

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
                    ["partial"] = new JsonArray(result.Partial.Select(p => (JsonNode)new JsonObject
                    {
                        ["ref"] = p.Reference,
                        ["digest"] = p.Digest.ToString(),
                        ["included"] = new JsonArray(p.Included.Select(n => (JsonNode)n).ToArray()),
                        ["missing"] = new JsonArray(p.Missing.Select(n => (JsonNode)n).ToArray()),
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

    private static BundlePlatforms Platforms(string[] values, bool all)
    {
        var platforms = values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries)).Select(Platform.Parse).ToList();
        if (all && platforms.Count > 0)
        {
            throw new InvalidInputException("--platform and --all-platforms contradict each other", "give one of them");
        }

        return all ? BundlePlatforms.All : platforms.Count > 0 ? BundlePlatforms.Only(platforms) : BundlePlatforms.AsCached;
    }
}
