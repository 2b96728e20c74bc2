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
            string temp = target + ".tmp-" + Guid.NewGuid().ToString("N");
            try
            {
                await using (var stream = await new PackageLocator(ctx.Store).OpenAsync(image.Root, manifest, ct))
                await using (var output = File.Create(temp))
                {
                    ctx.Explain.Add("package", stream.Location.Explain());
                    await PackageCacheFile.WriteAsync(stream, output, ct);
                }

                File.Move(temp, target, overwrite: true);
            }
            finally
            {
                File.Delete(temp);
            }

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
