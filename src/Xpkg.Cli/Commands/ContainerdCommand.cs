using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Oci;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

/// <summary><c>xpkg containerd pull|push|images</c>: containerd's image store as seen from xpkg.</summary>
internal static class ContainerdCommand
{
    public static Command Create()
    {
        var reference = new Argument<string>("REF") { Description = "an image containerd holds, e.g. xpkg.example/crossplane/function-x:v1" };
        var pull = new Command("pull", "copy an image from containerd's image store into the cache, verifying every blob") { reference };
        pull.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var parsed = ImageReference.Parse(ctx.Get(reference)!);
            var containerd = ContainerdOptions.Connect(ctx);
            await using (containerd.ConfigureAwait(false))
            {
                var result = await ProgressDisplay.RunAsync(ctx, observer =>
                    ContainerdTransfer.PullIntoCacheAsync(containerd, ctx.Store, parsed, new CopyOptions { Observer = observer }, ct));

                if (result is null)
                {
                    throw new XpkgException($"{parsed}: containerd has no such image (namespace {containerd.Connection.Namespace})",
                        "list what it has with xpkg containerd images, or choose the namespace with --containerd-namespace");
                }

                if (ctx.Json)
                {
                    CliContext.WriteJson(new JsonObject
                    {
                        ["ref"] = parsed.ToString(),
                        ["digest"] = result.Root.Digest.ToString(),
                        ["source"] = containerd.Description,
                        ["copied"] = result.BlobsCopied,
                        ["skipped"] = result.BlobsSkipped,
                    });
                }
                else
                {
                    ctx.Say($"Pulled {parsed} {result.Root.Digest} from {containerd.Description} ({result.BlobsCopied} blobs copied, {result.BlobsSkipped} already cached)");
                }
            }

            return 0;
        }, ct));

        var cached = new Argument<string>("REF") { Description = "an image in the cache (a reference or a digest)" };
        var name = new Argument<string?>("NAME") { Description = "the name in containerd (default: REF), normalised as the kubelet asks for it", Arity = ArgumentArity.ZeroOrOne };
        var push = new Command("push", "copy a cached image into containerd's image store and name it there") { cached, name };
        push.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var entry = await ImageLookup.RequireAsync(ctx.Store, ctx.Get(cached)!, ct);
            string? target = ctx.Get(name) ?? entry.Reference;
            var containerd = ContainerdOptions.Connect(ctx);
            await using (containerd.ConfigureAwait(false))
            {
                var result = await ProgressDisplay.RunAsync(ctx, observer =>
                    ContainerdTransfer.PushFromCacheAsync(ctx.Store, entry.Root, containerd, target, new CopyOptions { Observer = observer }, ct));
                ctx.Say($"Pushed {ImageReference.Parse(target!)} {entry.Root.Digest} to containerd namespace {containerd.Connection.Namespace} ({result.BlobsCopied} blobs written, {result.BlobsSkipped} already there)");
            }

            return 0;
        }, ct));

        var images = new Command("images", "list the image records containerd holds in the namespace");
        images.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            var containerd = ContainerdOptions.Connect(ctx);
            await using (containerd.ConfigureAwait(false))
            {
                var list = await containerd.ListImagesAsync(null, ct);
                if (ctx.Json)
                {
                    CliContext.WriteJson(new JsonArray(list.Select(i => (JsonNode)new JsonObject
                    {
                        ["name"] = i.Name,
                        ["digest"] = i.Target.Digest.ToString(),
                        ["mediaType"] = i.Target.MediaType,
                        ["size"] = i.Target.Size,
                    }).ToArray()));
                }
                else
                {
                    foreach (var i in list.OrderBy(i => i.Name, StringComparer.Ordinal))
                    {
                        ctx.Say($"{i.Name} {i.Target.Digest}");
                    }
                }
            }

            return 0;
        }, ct));

        return new Command("containerd", "read and fill containerd's image store (see also load --into-containerd)") { pull, push, images };
    }
}
