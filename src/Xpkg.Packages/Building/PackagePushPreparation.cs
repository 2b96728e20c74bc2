using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Building;

/// <summary>The image a push sends: for a package, its manifest with the config labels copied into layer annotations.</summary>
public sealed record PackagePush(IContentSource Source, Descriptor Root, bool Annotated);

/// <summary>
/// What <c>crossplane xpkg push</c> does before pushing, so Crossplane finds the base layer by annotation
/// without downloading the other layers. Images that are not packages, and indexes, are pushed unchanged.
/// </summary>
public static class PackagePushPreparation
{
    public static async Task<PackagePush> PrepareAsync(IContentSource source, Descriptor root, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken)
    {
        var parsed = ParsedManifest.Parse(manifest.Span, root.MediaType);
        if (parsed.IsIndex || parsed.Config is null)
        {
            return new PackagePush(source, root, false);
        }

        var labels = await ImageConfigLabels.ReadAsync(source, parsed.Config, cancellationToken).ConfigureAwait(false);
        byte[]? annotated = PackageLayerAnnotations.Annotate(manifest.Span, parsed.MediaType, labels);
        if (annotated is null)
        {
            return new PackagePush(source, root, false);
        }

        var descriptor = Descriptor.For(parsed.MediaType, annotated);
        return new PackagePush(new OverlaySource(source, new Dictionary<Digest, byte[]> { [descriptor.Digest] = annotated }), descriptor, true);
    }
}
