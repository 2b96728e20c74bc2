namespace Xpkg.Packages;

/// <summary>
/// The package's meta object (<c>meta.pkg.crossplane.io</c> Provider, Configuration or Function, any served
/// version), with the fields of the v1 hub type that every version shares.
/// </summary>
public sealed class PackageMeta : PackageObject
{
    /// <summary>The annotation prefix for the metadata Crossplane documents for third parties.</summary>
    public const string MetaAnnotationPrefix = "meta.crossplane.io/";

    public required PackageKind PackageKind { get; init; }

    /// <summary>
    /// <c>spec.crossplane.version</c>: null when <c>spec.crossplane</c> is absent, empty when it is present
    /// without a version (which the linter then rejects, as Crossplane does).
    /// </summary>
    public string? CrossplaneVersion { get; init; }

    public IReadOnlyList<PackageDependency> DependsOn { get; init; } = [];

    /// <summary><c>spec.capabilities</c> as written.</summary>
    public IReadOnlyList<string> Capabilities { get; init; } = [];

    /// <summary>What the package reports: a Function that declares none is a composition function.</summary>
    public IReadOnlyList<string> EffectiveCapabilities
        => Capabilities.Count == 0 && PackageKind == PackageKind.Function ? ["composition"] : Capabilities;

    /// <summary>The <c>meta.crossplane.io/*</c> annotations (maintainer, source, license, description, readme).</summary>
    public IReadOnlyDictionary<string, string> MetaAnnotations
        => Annotations.Where(a => a.Key.StartsWith(MetaAnnotationPrefix, StringComparison.Ordinal))
            .ToDictionary(a => a.Key, a => a.Value, StringComparer.Ordinal);

    public string? Maintainer => MetaAnnotation("maintainer");

    public string? Source => MetaAnnotation("source");

    public string? License => MetaAnnotation("license");

    public string? Description => MetaAnnotation("description");

    public string? Readme => MetaAnnotation("readme");

    /// <summary>
    /// Crossplane's fuzzy capability match: non-alphanumerics are ignored and case does not matter, so
    /// <c>safe-start</c>, <c>SafeStart</c> and <c>safe_start</c> are one capability.
    /// </summary>
    public bool HasCapability(string capability)
        => EffectiveCapabilities.Any(c => string.Equals(Fold(c), Fold(capability), StringComparison.OrdinalIgnoreCase));

    private string? MetaAnnotation(string name) => Annotations.TryGetValue(MetaAnnotationPrefix + name, out var v) ? v : null;

    private static string Fold(string s) => new(s.Where(char.IsAsciiLetterOrDigit).ToArray());
}
