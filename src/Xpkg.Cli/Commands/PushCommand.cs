using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Oci.Content;
using Xpkg.Packages.Building;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

internal static class PushCommand
{
    public static Command Create()
    {
        var endpoints = new Argument<string[]>("SRC DEST")
        {
            Description = "SRC: a cache reference or digest, a tarball, or an OCI layout directory (none with --package-files); DEST: a registry reference or containerd://NAME",
            Arity = new ArgumentArity(1, 2),
        };
        var packageFiles = new Option<string[]>("--package-files") { Description = "several .xpkg files (comma-separated or repeated), pushed as one index keyed by each config's os/arch" };
        var command = new Command("push", "push an image to a registry; digests are preserved") { endpoints, packageFiles, CommonOptions.Jobs, CommonOptions.Referrers, CommonOptions.Explain };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string[] given = ctx.Get(endpoints)!;
            var files = (ctx.Get(packageFiles) ?? []).SelectMany(f => f.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (files.Count > 0)
            {
                return given.Length == 1
                    ? await PushPackageFilesAsync(ctx, files, ImageReference.Parse(given[0]), ct)
                    : throw new InvalidInputException("with --package-files, give only DEST");
            }

            if (given.Length != 2)
            {
                throw new InvalidInputException("push needs SRC and DEST", "xpkg push SRC DEST, or xpkg push --package-files a.xpkg,b.xpkg DEST");
            }

            string src = given[0];
            if (given[1].StartsWith(ContainerdScheme, StringComparison.Ordinal))
            {
                return await PushToContainerdAsync(ctx, src, given[1][ContainerdScheme.Length..], ct);
            }

            var dest = ImageReference.Parse(given[1]);
            var (from, root, archive) = await OpenSourceAsync(ctx, src, ct);
            using (archive)
            {
                if (ctx.Offline)
                {
                    throw new XpkgException($"push to {dest.Registry} needs the network, and --offline opens no connection");
                }

                var push = await PackagePushPreparation.PrepareAsync(from, root, await CopyEngine.ReadManifestAsync(from, root, ct), ct);
                if (push.Annotated)
                {
                    ctx.Explain.Add("package", $"Crossplane package: config labels copied into layer annotations; {root.Digest} is pushed as {push.Root.Digest}");
                    CliContext.Note($"note: package layers annotated io.crossplane.xpkg (as crossplane xpkg push does): the pushed digest is {push.Root.Digest}");
                }

                (from, root) = (push.Source, push.Root);
                using var client = ctx.NewRegistryClient();
                var target = client.Repository(dest);
                target.RootTag = dest.Tag is { } tag ? (root.Digest, tag) : null;
                await ProgressDisplay.RunAsync(ctx, observer => CopyEngine.CopyAsync(from, root, target, CommonOptions.CopyOptions(ctx, observer, platformOptions: false), ct));
                await target.TagAsync(dest.Tag ?? dest.Digest?.ToString(), root, from.Description, ct);
            }

            if (ctx.Json)
            {
                CliContext.WriteJson(new JsonObject { ["ref"] = dest.ToString(), ["digest"] = root.Digest.ToString() });
            }
            else
            {
                ctx.Say($"Pushed {dest} {root.Digest}");
            }

            return 0;
        }, ct));
        return command;
    }

    private const string ContainerdScheme = "containerd://";

    private static async Task<int> PushPackageFilesAsync(CliContext ctx, IReadOnlyList<string> files, ImageReference dest, CancellationToken ct)
    {
        if (ctx.Offline)
        {
            throw new XpkgException($"push to {dest.Registry} needs the network, and --offline opens no connection");
        }

        using var client = ctx.NewRegistryClient();
        var index = await PackageIndexPush.PushAsync(ctx, files, dest, client.Repository(dest), ct);
        if (ctx.Json)
        {
            CliContext.WriteJson(new JsonObject { ["ref"] = dest.ToString(), ["digest"] = index.Digest.ToString() });
        }
        else
        {
            ctx.Say($"Pushed {dest} {index.Digest} (an index of {files.Count} packages)");
        }

        return 0;
    }

    /// <summary><c>push SRC containerd://NAME</c>: into the node's image store, named as the kubelet looks it up.</summary>
    private static async Task<int> PushToContainerdAsync(CliContext ctx, string src, string name, CancellationToken ct)
    {
        if (!ContainerdOptions.IsSet(ctx))
        {
            throw new InvalidInputException("push to containerd:// needs --containerd-socket (or XPKG_CONTAINERD_SOCKET)", "for a kind node: --containerd-socket /run/containerd/containerd.sock inside the node");
        }

        var reference = ImageReference.Parse(name);
        var (from, root, archive) = await OpenSourceAsync(ctx, src, ct);
        using (archive)
        {
            var containerd = ContainerdOptions.Connect(ctx);
            await using (containerd)
            {
                await ProgressDisplay.RunAsync(ctx, observer => CopyEngine.CopyAsync(from, root, containerd, CommonOptions.CopyOptions(ctx, observer, platformOptions: false), ct));
                await containerd.TagAsync(reference.ToString(), root, from.Description, ct);
            }
        }

        if (ctx.Json)
        {
            CliContext.WriteJson(new JsonObject { ["ref"] = ContainerdScheme + reference, ["digest"] = root.Digest.ToString() });
        }
        else
        {
            ctx.Say($"Pushed {reference} {root.Digest} into containerd");
        }

        return 0;
    }

    /// <summary>A path on disk is an archive or layout; anything else names an image in the cache.</summary>
    internal static async Task<(IContentSource Source, Descriptor Root, ImageArchive? Archive)> OpenSourceAsync(CliContext ctx, string src, CancellationToken ct)
    {
        if (File.Exists(src) || Directory.Exists(src))
        {
            var archive = ImageArchive.Open(src, ctx.Store.ScratchDirectory);
            if (archive.Images.Count != 1)
            {
                archive.Dispose();
                throw new InvalidInputException($"{src} holds {archive.Images.Count} images; push takes one", "load it with xpkg load, then push each image by name");
            }

            foreach (var note in archive.Notes)
            {
                CliContext.Note("note: " + note);
            }

            return (archive, archive.Images[0].Root, archive);
        }

        var image = await ImageLookup.RequireAsync(ctx.Store, src, ct);
        return (ctx.Store, image.Root, null);
    }
}
