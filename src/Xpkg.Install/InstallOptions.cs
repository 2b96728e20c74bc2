using Xpkg.Install.CacheExport;

namespace Xpkg.Install;

/// <summary>Settings of one install that do not come from the manifests.</summary>
public sealed record InstallOptions
{
    /// <summary>The Crossplane version <c>spec.crossplane.version</c> constraints are checked against by default.</summary>
    public const string DefaultCrossplaneVersion = "2.1.0";

    /// <summary>The namespace Crossplane runs in; runtime objects and pull secrets live there.</summary>
    public const string DefaultNamespace = "crossplane-system";

    /// <summary>Every pull policy becomes Never: no connection is opened.</summary>
    public bool Offline { get; init; }

    public string CrossplaneVersion { get; init; } = DefaultCrossplaneVersion;

    public string Namespace { get; init; } = DefaultNamespace;

    /// <summary>When set, Crossplane package-cache entries of the closure are written there too.</summary>
    public CrossplaneCacheExport? CrossplaneCache { get; init; }
}
