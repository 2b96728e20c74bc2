using Xpkg.Install.ImageConfigs;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Locating;

namespace Xpkg.Install.Resolution;

/// <summary>
/// One package of the resolved closure: the request (as written, or made for a dependency), the image it
/// resolved to after any ImageConfig rewrite, and the package read from it.
/// </summary>
public sealed class PackageNode
{
    public required PackageRequest Request { get; init; }

    /// <summary>True for packages named in the input; false for packages installed as dependencies.</summary>
    public required bool IsRoot { get; init; }

    /// <summary>The reference after ImageConfig rewriting: what was actually resolved.</summary>
    public required ImageReference ResolvedReference { get; init; }

    public required ResolvedImage Image { get; init; }

    public required ParsedPackage Package { get; init; }

    public required PackageLocation Location { get; init; }

    public required IReadOnlyList<ImageConfigMatch> AppliedImageConfigs { get; init; }

    /// <summary>Pull secrets that apply: the package's own, then the one an ImageConfig matched.</summary>
    public required IReadOnlyList<string> PullSecrets { get; init; }

    /// <summary>The DeploymentRuntimeConfig for the runtime (an ImageConfig's wins over the package's), null for Configurations.</summary>
    public required string? RuntimeConfigName { get; init; }

    /// <summary>The <c>dependsOn</c> entries the resolver follows (none with <c>skipDependencyResolution</c>).</summary>
    public IReadOnlyList<DependencyRequirement> Requirements { get; internal set; } = [];

    public PackageMeta Meta => Package.Meta!;

    public PackageKind Kind => Request.Kind;

    public string Name => Request.Name;

    /// <summary>The identity dependencies are matched on: the normalised repository of <c>spec.package</c>.</summary>
    public string Key => Request.Package.Name;

    /// <summary>The Lock's <c>source</c>: <c>spec.package</c> as written, without tag or digest.</summary>
    public string Source => PackageNames.PackageSource(Request.Package);

    /// <summary>The Lock's <c>version</c>: the tag, or the digest when the package is pinned.</summary>
    public string Version => Request.Package.Identifier;

    /// <summary><c>status.resolvedPackage</c>: the rewritten reference, as written.</summary>
    public string ResolvedPackage => ResolvedReference.Original;

    public string RevisionName => PackageNames.FriendlyId(Request.Name, Image.Digest.Encoded);

    public string Subject => $"{Kind}/{Name}";

    public override string ToString() => $"{Subject} ({Request.Package.Original})";
}
