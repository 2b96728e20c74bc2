using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Xpkg.Cli.Commands;

internal static class ImagesCommand
{
    public static Command Create()
    {
        var command = new Command("images", "list what the cache holds");
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var entries = (await ctx.StoreForReading.References.ReadAsync(ct))
                .OrderBy(e => e.Reference ?? "\uffff", StringComparer.Ordinal).ThenBy(e => e.Root.Digest.ToString(), StringComparer.Ordinal).ToList();
            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonArray(entries.Select(e => (JsonNode)new JsonObject
                {
                    ["ref"] = e.Reference,
                    ["digest"] = e.Root.Digest.ToString(),
                    ["mediaType"] = e.Root.MediaType,
                    ["size"] = e.TotalSize,
                    ["source"] = e.Source,
                    ["resolved"] = e.ResolvedAt?.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                }).ToArray()));
                return 0;
            }

            var rows = entries.Select(e => new[]
            {
                e.Reference ?? "<untagged>",
                Humanize.ShortDigest(e.Root.Digest),
                KindOf(e.Root.MediaType),
                Humanize.Bytes(e.TotalSize),
            }).ToList();
            TextTable.Write(["REF", "DIGEST", "TYPE", "SIZE"], rows);
            return 0;
        }, ct));
        return command;
    }

    private static string KindOf(string mediaType) => mediaType switch
    {
        Oci.MediaTypes.OciIndex => "oci-index",
        Oci.MediaTypes.OciManifest => "oci",
        Oci.MediaTypes.DockerManifestList => "docker-list",
        Oci.MediaTypes.DockerManifest => "docker",
        _ => mediaType,
    };
}
