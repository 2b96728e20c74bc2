using Xpkg.Install.Events;
using Xpkg.Install.Resolution;
using Xpkg.Install.State;

namespace Xpkg.Install;

/// <summary>What an install decided: the closure with each package's revision plan, and the files it changed.</summary>
public sealed record InstallResult(
    IReadOnlyList<PackageNode> Packages,
    IReadOnlyDictionary<PackageNode, RevisionPlan> Revisions,
    IReadOnlyList<string> ChangedFiles,
    InstallLog Log);
