using Xpkg.Oci;
using Xpkg.Packages;

namespace Xpkg.Install.Resolution;

/// <summary>One <c>dependsOn</c> entry of a resolved package, with the repository it names normalised for matching.</summary>
/// <param name="Parent">The package whose meta declares the dependency.</param>
/// <param name="Dependency">The entry as written.</param>
/// <param name="Kind">The package kind it asks for.</param>
/// <param name="Source">The package it names, as written (no tag).</param>
/// <param name="Key">The normalised repository, <c>registry/path</c>.</param>
public sealed record DependencyRequirement(PackageNode Parent, PackageDependency Dependency, PackageKind Kind, string Source, string Key)
{
    public string Constraint => Dependency.Version;

    /// <summary>The digest when the constraint pins one; compared exactly, never as semver. Parsed once: the resolver asks on every pass.</summary>
    public Digest? Pin { get; } = Dependency.VersionDigest;

    /// <summary>How messages name the requirement: <c>Configuration/a requires &gt;=v1.0.0</c>.</summary>
    public string Describe() => $"{Parent.Subject} requires {(Constraint.Length == 0 ? "any version" : Constraint)}";
}
