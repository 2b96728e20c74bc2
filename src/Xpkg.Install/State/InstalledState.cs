using Xpkg.Oci;
using Xpkg.Packages;

namespace Xpkg.Install.State;

/// <summary>What the state directory held before this install: packages (to keep dependency versions) and revisions (to number them).</summary>
public sealed class InstalledState
{
    public static InstalledState Empty { get; } = new([], []);

    public InstalledState(IReadOnlyList<InstalledPackage> packages, IReadOnlyList<InstalledRevision> revisions)
    {
        Packages = packages;
        Revisions = revisions;
    }

    public IReadOnlyList<InstalledPackage> Packages { get; }

    public IReadOnlyList<InstalledRevision> Revisions { get; }

    /// <summary>The installed package of <paramref name="kind"/> whose <c>spec.package</c> names the repository <paramref name="key"/>.</summary>
    public InstalledPackage? FindByKey(string key, PackageKind kind)
        => Packages.FirstOrDefault(p => p.Kind == kind && ImageReference.TryParse(p.Package, out var r, out _) && r.Name == key);

    public IReadOnlyList<InstalledRevision> RevisionsOf(PackageKind kind, string packageName)
        => Revisions.Where(r => r.Kind == kind && r.PackageName == packageName).OrderBy(r => r.Number).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
}
