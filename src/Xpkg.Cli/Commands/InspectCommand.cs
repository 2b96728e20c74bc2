using System.CommandLine;
using System.Text.Json.Nodes;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Inspection;
using Xpkg.Packages.Locating;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class InspectCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "a reference or digest in the cache (or, with --containerd-socket, in containerd)" };
        var command = new Command("inspect", "show the manifest, the config and, for a Crossplane package, its metadata") { reference, CommonOptions.Explain };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var image = await FindAsync(ctx, ctx.Get(reference)!, ct);
            byte[] manifestBytes = await ctx.StoreForReading.ReadSmallBlobAsync(image.Root, ct);
            var manifest = ParsedManifest.Parse(manifestBytes, image.Root.MediaType);
            JsonNode? config = null;
            if (manifest.Config is { } c && ctx.StoreForReading.Contains(c) && c.Size <= ParsedManifest.MaxBytes)
            {
                config = TryParseJson(await ctx.StoreForReading.ReadSmallBlobAsync(c, ct));
            }

            var result = new JsonObject
            {
                ["ref"] = image.Reference,
                ["digest"] = image.Root.Digest.ToString(),
                ["mediaType"] = image.Root.MediaType,
                ["size"] = image.TotalSize,
                ["manifest"] = TryParseJson(manifestBytes),
                ["config"] = config,
                ["package"] = await PackageAsync(ctx, image.Root, manifestBytes, ct),
            };
            if (ctx.Json)
            {
                CliContext.WriteJson(result);
                return 0;
            }

            ctx.Say($"Reference:  {image.DisplayName}");
            ctx.Say($"Digest:     {image.Root.Digest}");
            ctx.Say($"Media type: {image.Root.MediaType}");
            ctx.Say($"Size:       {Humanize.Bytes(image.TotalSize)}");
            if (result["package"] is JsonObject package)
            {
                ctx.Say($"Package:    {package["kind"]} {package["name"]} ({package["apiVersion"]})");
                ctx.Say($"  crossplane: {package["crossplaneVersion"]?.ToString() ?? "any"}; objects: {package["objects"]?.AsArray().Count}; base layer {package["baseLayer"]?["digest"]} found by {package["baseLayer"]?["foundBy"]}");
                foreach (var dependency in package["dependsOn"]?.AsArray() ?? [])
                {
                    ctx.Say($"  depends on {dependency?.ToJsonString()}");
                }
            }

            if (manifest.IsIndex)
            {
                foreach (var m in manifest.Manifests)
                {
                    ctx.Say($"  {m.Platform?.ToString() ?? "unknown",-16} {m.Digest} {(ctx.StoreForReading.Contains(m) ? "" : "(not in cache)")}");
                }
            }
            else
            {
                ctx.Say($"Config:     {manifest.Config?.Digest}");
                foreach (var l in manifest.Layers)
                {
                    ctx.Say($"  layer {l.Digest} {Humanize.Bytes(l.Size)} {l.MediaType}");
                }
            }

            return 0;
        }, ct));
        return command;
    }

    /// <summary>The cache first, then containerd when configured (a local socket, so --offline too); never a registry.</summary>
    private static async Task<StoredReference> FindAsync(CliContext ctx, string text, CancellationToken ct)
    {
        var puller = new ImagePuller(ctx.StoreForReading, ctx.NewRegistryClient, ctx.Explain, ContainerdOptions.IsSet(ctx) ? () => ContainerdOptions.Connect(ctx) : null)
        {
            OpenForWriting = () => ctx.Store,
        };
        return await puller.FindLocalAsync(text, new CopyOptions(), ct)
            ?? throw new XpkgException($"{text}: not in the cache ({ctx.StoreForReading.Root}){(ContainerdOptions.IsSet(ctx) ? " nor in containerd" : "")}",
                "bring it in with xpkg load FILE or xpkg pull REF; xpkg images lists what the cache holds");
    }

    /// <summary>The Crossplane package metadata, or null (with a note saying why) when the image is not a valid package.</summary>
    private static async Task<JsonNode?> PackageAsync(CliContext ctx, Descriptor root, byte[] manifest, CancellationToken ct)
    {
        try
        {
            var (package, location) = await new PackageLocator(ctx.StoreForReading).ParseAsync(root, manifest, ct);
            ctx.Explain.Add("package", location.Explain());
            var summary = PackageSummary.From(package, location);
            return summary is null ? null : JsonSerializer.SerializeToNode(summary, PackagesJsonContext.Default.PackageSummary);
        }
        catch (PackageNotFoundException)
        {
            return null;
        }
        catch (Xpkg.Oci.Content.ContentNotFoundException e)
        {
            CliContext.Note($"note: cannot read the package: {e.Message}");
            return null;
        }
        catch (InvalidInputException e)
        {
            CliContext.Note($"note: not a valid Crossplane package: {e.Message}");
            return null;
        }
    }

    private static JsonNode? TryParseJson(byte[] bytes)
    {
        try
        {
            return JsonNode.Parse(bytes);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
