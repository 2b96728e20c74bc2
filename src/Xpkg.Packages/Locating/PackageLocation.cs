using Xpkg.Oci;

namespace Xpkg.Packages.Locating;

/// <summary>Where <c>package.yaml</c> was found in an image, for <c>--explain</c> and <c>inspect</c>.</summary>
/// <param name="FoundBy">Which rule located the layer.</param>
/// <param name="Layer">The layer the entry was read from (for the flattened search, the layer that provided it).</param>
/// <param name="EntryName">The tar entry name, e.g. <c>package.yaml</c>.</param>
/// <param name="Manifest">The image manifest that was searched (a platform manifest when the root was an index).</param>
public sealed record PackageLocation(BaseLayerSource FoundBy, Descriptor Layer, string EntryName, Descriptor Manifest)
{
    /// <summary>Why the earlier rules did not apply, e.g. a label naming a layer the image no longer has.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The decision in one line, followed by the notes.</summary>
    public string Explain() => string.Join("; ", Notes.Prepend(Decision()));

    private string Decision() => FoundBy switch
    {
        BaseLayerSource.Annotation => $"{EntryName} read from layer {Layer.Digest}, annotated {PackageNames.AnnotationKey}: {PackageNames.PackageAnnotation} in manifest {Manifest.Digest}",
        BaseLayerSource.ConfigLabel => $"{EntryName} read from layer {Layer.Digest}, named by config label {PackageNames.AnnotationKey}:{Layer.Digest}={PackageNames.PackageAnnotation} (no layer annotation in manifest {Manifest.Digest})",
        _ => $"{EntryName} found in the flattened filesystem of manifest {Manifest.Digest} (no base layer annotation or label matched), provided by layer {Layer.Digest}",
    };

    /// <summary>The method as a lowercase word for JSON output: <c>annotation</c>, <c>label</c> or <c>flattened</c>.</summary>
    public string Method => FoundBy switch
    {
        BaseLayerSource.Annotation => "annotation",
        BaseLayerSource.ConfigLabel => "label",
        _ => "flattened",
    };
}
