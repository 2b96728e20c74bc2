using Xpkg.Packages;

namespace Xpkg.Install.State;

/// <summary>A package revision a previous install wrote: its number and whether it was the active one.</summary>
public sealed record InstalledRevision(PackageKind Kind, string Name, string PackageName, long Number, bool Active);
