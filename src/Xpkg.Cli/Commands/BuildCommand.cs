using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Oci.Content;
using Xpkg.Packages.Building;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class BuildCommand
{
    public static Command Create()
    {
        var packageRoot = new Option<string>("--package-root", "-f") { Description = "the directory holding the package's YAML (crossplane.yaml and objects)", Required = true };
        var examplesRoot = new Option<string?>("--examples-root", "-e") { Description = "the examples directory (default ./examples); absent means no examples layer" };
        var ignore = new Option<string[]>("--ignore") { Description = "file patterns to leave out, relative to the package root (repeatable, or comma-separated)", AllowMultipleArgumentsPerToken = true };
        var runtimeImage = new Option<string?>("--embed-runtime-image") { Description = "an image in the cache to build the package on (its layers come first)" };
        var runtimeTarball = new Option<string?>("--embed-runtime-image-tarball") { Description = "a tarball holding the image to build the package on" };
        var packageFile = new Option<string?>("--package-file") { Description = "the output file (default FriendlyID(name, digest).xpkg in the package root)" };
        var command = new Command("build", "build a Crossplane package file (.xpkg), as crossplane xpkg build does")
        {
            packageRoot, examplesRoot, ignore, runtimeImage, runtimeTarball, packageFile,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            if (ctx.Get(runtimeImage) is not null && ctx.Get(runtimeTarball) is not null)
            {
                throw new InvalidInputException("--embed-runtime-image and --embed-runtime-image-tarball exclude each other");
            }

            ImageArchive? tarball = ctx.Get(runtimeTarball) is { } t ? ImageArchive.Open(t, ctx.Store.ScratchDirectory) : null;
            using (tarball)
            {
                var runtime = await RuntimeAsync(ctx, ctx.Get(runtimeImage), tarball, ct);
                string root = ctx.Get(packageRoot)!;
                await using var built = await PackageBuilder.BuildAsync(new PackageBuildOptions
                {
                    PackageRoot = root,
                    ExamplesRoot = ctx.Get(examplesRoot),
                    Ignore = (ctx.Get(ignore) ?? []).SelectMany(i => i.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList(),
                    Runtime = runtime,
                }, ct);
                string file = ctx.Get(packageFile) ?? Path.Combine(root, built.DefaultFileName);
                await WriteAsync(built, file, ct);
                if (ctx.Json)
                {
                    CliContext.WriteJson(new JsonObject { ["file"] = Path.GetFullPath(file), ["digest"] = built.Root.Digest.ToString() });
                }
                else
                {
                    ctx.Say($"Built {built.Meta.Kind} {built.Meta.Name}: {file} {built.Root.Digest}");
                }
            }

            return 0;
        }, ct));
        return command;
    }

    /// <summary>Writes the go-containerregistry shape, blobs in manifest order, so equal inputs give equal files.</summary>
    internal static async Task WriteAsync(BuiltPackage built, string file, CancellationToken ct)
    {
        var writer = new ArchiveWriter(file, ArchiveFormat.Xpkg);
        await using (writer.ConfigureAwait(false))
        {
            foreach (var blob in built.Layers.Prepend(built.Config).Append(built.Root))
            {
                await writer.WriteAsync(blob, await built.OpenAsync(blob, ct), ct);
            }

            await writer.TagAsync(null, built.Root, built.Description, ct);
            await writer.CompleteAsync(ct);
        }
    }

    private static async Task<RuntimeImage?> RuntimeAsync(CliContext ctx, string? reference, ImageArchive? tarball, CancellationToken ct)
    {
        IContentSource source;
        Descriptor root;
        if (tarball is not null)
        {
            if (tarball.Images.Count != 1)
            {
                throw new InvalidInputException($"{tarball.Description} holds {tarball.Images.Count} images; the runtime tarball must hold one");
            }

            (source, root) = (tarball, tarball.Images[0].Root);
        }
        else if (reference is not null)
        {
            (source, root) = (ctx.Store, (await ImageLookup.RequireAsync(ctx.Store, reference, ct)).Root);
        }
        else
        {
            return null;
        }

        byte[] bytes = await CopyEngine.ReadManifestAsync(source, root, ct);
        var parsed = ParsedManifest.Parse(bytes, root.MediaType);
        if (parsed.IsIndex)
        {
            root = parsed.Manifests.FirstOrDefault(m => Platform.Default.Matches(m.Platform))
                ?? throw new InvalidInputException($"runtime index {root.Digest} has no {Platform.Default} image");
            bytes = await CopyEngine.ReadManifestAsync(source, root, ct);
        }

        return new RuntimeImage(source, root, bytes);
    }
}
