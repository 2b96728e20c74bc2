using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Transfer;

namespace Xpkg.Install.Input;

/// <summary>
/// A <c>pkg.crossplane.io</c> Function, Provider or Configuration as the user wrote it, with every
/// <c>spec</c> field Crossplane has and its CRD defaults applied.
/// </summary>
public sealed record PackageRequest
{
    public required PackageKind Kind { get; init; }

    public required string ApiVersion { get; init; }

    public required string Name { get; init; }

    /// <summary><c>spec.package</c> as written, parsed; <see cref="ImageReference.Original"/> keeps the text.</summary>
    public required ImageReference Package { get; init; }

    public ActivationPolicy RevisionActivationPolicy { get; init; } = ActivationPolicy.Automatic;

    /// <summary>How many inactive revisions are kept; 0 keeps them all.</summary>
    public long RevisionHistoryLimit { get; init; } = 1;

    public IReadOnlyList<string> PackagePullSecrets { get; init; } = [];

    public PullPolicy PackagePullPolicy { get; init; } = PullPolicy.IfNotPresent;

    public bool IgnoreCrossplaneConstraints { get; init; }

    public bool SkipDependencyResolution { get; init; }

    public IReadOnlyDictionary<string, string> CommonLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> CommonAnnotations { get; init; } = new Dictionary<string, string>();

    /// <summary><c>spec.runtimeConfigRef.name</c> for Providers and Functions (CRD default <c>default</c>); null for Configurations.</summary>
    public string? RuntimeConfigName { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>Where it was read; null for packages the resolver creates for dependencies.</summary>
    public DocumentPosition? Position { get; init; }

    public bool HasRuntime => Kind != PackageKind.Configuration;
}
