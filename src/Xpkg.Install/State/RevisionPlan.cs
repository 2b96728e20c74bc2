namespace Xpkg.Install.State;

/// <summary>The revisions of one package after this install.</summary>
/// <param name="Current">The revision of the package's current digest.</param>
/// <param name="Older">Older revisions that are kept (history), highest number first.</param>
/// <param name="Pruned">Revisions removed by <c>revisionHistoryLimit</c>.</param>
public sealed record RevisionPlan(PlannedRevision Current, IReadOnlyList<PlannedRevision> Older, IReadOnlyList<InstalledRevision> Pruned);
