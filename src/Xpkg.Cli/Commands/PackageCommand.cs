using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Packages.Locating;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class PackageCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "a package in the cache" };
        var file = new Option<string>("--file") { Description = "where to write the gzip of package.yaml", DefaultValueFactory = _ => "out.gz" };
        var extract = new Command("extract", "write the gzip of the raw package.yaml stream, as crossplane xpkg extract does") { reference, file, CommonOptions.Explain };
        extract.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var image = await ImageLookup.RequireAsync(ctx.Store, ctx.Get(reference)!, ct);
            byte[] manifest = await ctx.Store.ReadSmallBlobAsync(image.Root, ct);
            string target = Path.GetFullPath(ctx.Get(file)!);
            var (_, location) = await PackageCacheFile.WriteFileAsync(ctx.Store, image.Root, manifest, target, ct);
            ctx.Explain.Add("package", location.Explain());

            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject { ["file"] = target, ["digest"] = image.Root.Digest.ToString() });
            }
            else
            {
                ctx.Say($"Extracted the package of {image.DisplayName} to {target}");
            }

            return 0;
        }, ct));
        return new Command("package", "work with the Crossplane package inside an image") { extract };
    }
}
