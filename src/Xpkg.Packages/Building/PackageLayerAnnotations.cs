using Xpkg.Oci;

namespace Xpkg.Packages.Building;

/// <summary>
/// What <c>crossplane xpkg push</c> does before pushing: layer annotations cannot survive a docker-save file,
/// so each layer named by a config label <c>io.crossplane.xpkg:&lt;layer digest&gt;</c> gets the annotation
/// <c>io.crossplane.xpkg: &lt;label value&gt;</c> back, and Crossplane then finds the base layer without
/// downloading the others. Config and layers are unchanged; only the manifest (and its digest) changes.
/// </summary>
public static class PackageLayerAnnotations
{
    /// <summary>
    /// The annotated manifest, or null when no layer has a label (the image is pushed as it is).
    /// Existing layer annotations are kept; the package annotation is set from the label.
    /// </summary>
    public static byte[]? Annotate(ReadOnlySpan<byte> manifest, string? mediaType, IReadOnlyDictionary<string, string> configLabels)
    {
        var parsed = ParsedManifest.Parse(manifest, mediaType);
        if (parsed.IsIndex || parsed.Config is null)
        {
            throw new InvalidInputException("only an image manifest can carry package layer annotations, not an index");
        }

        bool any = false;
        var layers = new List<Descriptor>(parsed.Layers.Count);
        foreach (var layer in parsed.Layers)
        {
            if (!configLabels.TryGetValue(PackageNames.AnnotationKey + ":" + layer.Digest, out var role))
            {
                layers.Add(layer);
                continue;
            }

            var annotations = new Dictionary<string, string>(layer.Annotations ?? new Dictionary<string, string>(), StringComparer.Ordinal)
            {
                [PackageNames.AnnotationKey] = role,
            };
            layers.Add(layer with { Annotations = annotations });
            any = true;
        }

        return any ? PackageImageDocuments.Manifest(parsed.MediaType, parsed.Config, layers) : null;
    }
}
