using Xpkg.Packages;

namespace Xpkg.Install.State;

/// <summary>A package a previous install wrote to the state directory.</summary>
/// <param name="Package"><c>spec.package</c> as it was written.</param>
public sealed record InstalledPackage(PackageKind Kind, string Name, string Package, string? CurrentRevision);
