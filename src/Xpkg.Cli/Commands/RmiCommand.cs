using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;

namespace Xpkg.Cli.Commands;

internal static class RmiCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "a reference, or a digest to forget every name of that image" };
        var command = new Command("rmi", "forget a reference (blobs stay until cache gc)") { reference };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string text = ctx.Get(reference)!;
            Func<Store.StoredReference, bool> matches = Digest.TryParse(text, out var digest)
                ? e => e.Root.Digest == digest
                : ImageReference.Parse(text).ToString() is var key ? e => e.Reference == key : _ => false;
            var removed = new List<string>();
            await ctx.Store.References.UpdateAsync(entries =>
            {
                removed.AddRange(entries.Where(matches).Select(e => e.DisplayName));
                return entries.RemoveAll(e => matches(e)) > 0;
            }, ct);
            if (removed.Count == 0)
            {
                throw new XpkgException($"{text}: not in the cache", "xpkg images lists what the cache holds");
            }

            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject { ["removed"] = new JsonArray(removed.Select(r => (JsonNode)r).ToArray()) });
            }
            else
            {
                removed.ForEach(r => ctx.Say("Untagged " + r));
            }

            return 0;
        }, ct));
        return command;
    }
}
