namespace Xpkg.Packages.Locating;

/// <summary>How the layer holding <c>package.yaml</c> was found, in the order the rules are tried.</summary>
public enum BaseLayerSource
{
    /// <summary>The manifest annotates the layer <c>io.crossplane.xpkg: base</c> (a package pushed by Crossplane's CLI).</summary>
    Annotation,

    /// <summary>
    /// The image config labels the layer <c>io.crossplane.xpkg:&lt;layer digest&gt;: base</c> (a <c>.xpkg</c> file,
    /// or a package re-pushed by a tool that drops layer annotations).
    /// </summary>
    ConfigLabel,

    /// <summary>Neither matched: the flattened filesystem of all layers was searched.</summary>
    Flattened,
}
