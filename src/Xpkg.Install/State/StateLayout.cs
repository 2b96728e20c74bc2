using Xpkg.Packages;

namespace Xpkg.Install.State;

/// <summary>
/// Where each document lives in the state directory. Every file holds objects a Crossplane user can
/// <c>kubectl apply</c> or diff; names carry the kind so a Provider and a Function may share a name.
/// </summary>
public static class StateLayout
{
    public const string LockFile = "lock.yaml";
    public const string EventsFile = "events.log";
    public const string PackagesDirectory = "packages";
    public const string RevisionsDirectory = "revisions";
    public const string ObjectsDirectory = "objects";
    public const string RuntimeDirectory = "runtime";

    /// <summary>The directories whose files the installer owns entirely (stale files there are removed).</summary>
    public static IReadOnlyList<string> ManagedDirectories { get; } = [PackagesDirectory, RevisionsDirectory, ObjectsDirectory, RuntimeDirectory];

    public static string Package(PackageKind kind, string name) => $"{PackagesDirectory}/{Lower(kind)}.{name}.yaml";

    public static string Revision(PackageKind kind, string revisionName) => $"{RevisionsDirectory}/{Lower(kind)}revision.{revisionName}.yaml";

    public static string Objects(PackageKind kind, string name) => $"{ObjectsDirectory}/{Lower(kind)}.{name}.yaml";

    public static string Runtime(PackageKind kind, string name) => $"{RuntimeDirectory}/{Lower(kind)}.{name}.yaml";

    public static string Lower(PackageKind kind) => kind.ToString().ToLowerInvariant();
}
