using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Store;

namespace Xpkg.Cli.Commands;

internal static class CacheCommand
{
    public static Command Create()
    {
        var verify = new Command("verify", "re-hash every blob; exit 1 naming each corrupt digest");
        verify.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var result = await new StoreVerifier(ctx.Store).VerifyAsync(ct);
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject
                {
                    ["blobs"] = result.Blobs,
                    ["corrupt"] = new JsonArray(result.Corrupt.Select(c => (JsonNode)c).ToArray()),
                    ["missing"] = new JsonArray(result.MissingRoots.Select(c => (JsonNode)c).ToArray()),
                });
            }
            else
            {
                ctx.Say($"{result.Blobs} blobs checked, {result.Corrupt.Count} corrupt");
                foreach (var c in result.Corrupt)
                {
                    CliContext.Note("corrupt: " + c);
                }

                foreach (var m in result.MissingRoots)
                {
                    CliContext.Note("missing root manifest: " + m);
                }
            }

            return result.Corrupt.Count > 0 || result.MissingRoots.Count > 0 ? 1 : 0;
        }, ct));

        var gc = new Command("gc", "delete blobs no reference reaches, and what interrupted writes left behind");
        gc.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var result = await new GarbageCollector(ctx.Store).CollectAsync(ct);
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject { ["removed"] = result.Removed, ["freedBytes"] = result.FreedBytes, ["temporaryFiles"] = result.TemporaryFilesRemoved });
            }
            else
            {
                ctx.Say($"Removed {result.Removed} blobs, freed {Humanize.Bytes(result.FreedBytes)}" + (result.TemporaryFilesRemoved > 0 ? $", {result.TemporaryFilesRemoved} temporary files" : ""));
            }

            return 0;
        }, ct));

        return new Command("cache", "check and clean the local content store") { verify, gc };
    }
}
