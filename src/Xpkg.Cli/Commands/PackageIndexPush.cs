using System.Text.Encodings.Web;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Packages.Building;
using Xpkg.Registry;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

/// <summary>
/// <c>push --package-files a.xpkg,b.xpkg REF</c>, as <c>crossplane xpkg push</c> does it: each package is pushed
/// (layers annotated) by digest, then an OCI index over them, keyed by each config's os/arch, under the tag.
/// </summary>
internal static class PackageIndexPush
{
    public static async Task<Descriptor> PushAsync(CliContext ctx, IReadOnlyList<string> files, ImageReference dest, RegistryRepository target, CancellationToken ct)
    {
        var entries = new List<(Descriptor Manifest, string OS, string Architecture, string? Variant)>();
        foreach (string file in files)
        {
            using var archive = ImageArchive.Open(file, ctx.Store.ScratchDirectory);
            if (archive.Images.Count != 1 || MediaTypes.IsIndex(archive.Images[0].Root.MediaType))
            {
                throw new InvalidInputException($"{file} must hold exactly one package image");
            }

            var root = archive.Images[0].Root;
            byte[] manifest = await CopyEngine.ReadManifestAsync(archive, root, ct);
            var push = await PackagePushPreparation.PrepareAsync(archive, root, manifest, ct);
            await CopyEngine.CopyAsync(push.Source, push.Root, target, CommonOptions.CopyOptions(ctx, ICopyObserver.None, platformOptions: false), ct);
            var config = ParsedManifest.Parse(manifest, root.MediaType).Config!;
            var (os, arch, variant) = await PlatformOfAsync(archive, config, ct);
            if (entries.Any(e => e.OS == os && e.Architecture == arch && e.Variant == variant))
            {
                throw new InvalidInputException($"{file}: another package file is already for {os}/{arch}", "each file must be built for a different platform (--embed-runtime-image of that platform)");
            }

            entries.Add((push.Root, os, arch, variant));
            ctx.Explain.Add("package", $"{file}: {os}/{arch} pushed as {push.Root.Digest}");
        }

        byte[] index = WriteIndex(entries);
        var descriptor = Descriptor.For(MediaTypes.OciIndex, index);
        await target.PutManifestAsync(dest.Tag ?? descriptor.Digest.ToString(), descriptor, index, ct);
        return descriptor;
    }

    private static async Task<(string OS, string Architecture, string? Variant)> PlatformOfAsync(ImageArchive archive, Descriptor config, CancellationToken ct)
    {
        byte[] bytes = await CopyEngine.ReadManifestAsync(archive, config, ct);
        using var doc = JsonDocument.Parse(bytes);
        string Read(string name) => doc.RootElement.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "";
        string variant = Read("variant");
        return (Read("os"), Read("architecture"), variant.Length == 0 ? null : variant);
    }

    // go-containerregistry's member order, as for manifests (Xpkg.Oci.ImageManifestWriter).
    private static byte[] WriteIndex(List<(Descriptor Manifest, string OS, string Architecture, string? Variant)> entries)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteNumber("schemaVersion", 2);
            w.WriteString("mediaType", MediaTypes.OciIndex);
            w.WriteStartArray("manifests");
            foreach (var (m, os, arch, variant) in entries)
            {
                w.WriteStartObject();
                w.WriteString("mediaType", m.MediaType);
                w.WriteNumber("size", m.Size);
                w.WriteString("digest", m.Digest.ToString());
                w.WriteStartObject("platform");
                w.WriteString("architecture", arch);
                w.WriteString("os", os);
                if (variant is not null)
                {
                    w.WriteString("variant", variant);
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
