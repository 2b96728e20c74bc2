namespace Xpkg.Install.State;

/// <summary>One revision of a package after this install: its name, number and desired state.</summary>
public sealed record PlannedRevision(string Name, long Number, bool Active);
