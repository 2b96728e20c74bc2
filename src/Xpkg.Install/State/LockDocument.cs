using Xpkg.Install.Resolution;

namespace Xpkg.Install.State;

/// <summary>
/// The <c>pkg.crossplane.io/v1beta1</c> Lock named <c>lock</c>: one entry per installed package (named after
/// its revision) with the source as written, the version, and the dependencies with their constraints.
/// </summary>
internal static class LockDocument
{
    public static Dictionary<string, object?> Build(IReadOnlyList<PackageNode> closure, IReadOnlyDictionary<PackageNode, RevisionPlan> plans)
    {
        var packages = closure.OrderBy(n => n.RevisionName, StringComparer.Ordinal).Select(n => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = plans[n].Current.Name,
            ["apiVersion"] = "pkg.crossplane.io/v1",
            ["kind"] = n.Kind.ToString(),
            ["type"] = n.Kind.ToString(),
            ["source"] = n.Source,
            ["version"] = n.Version,
            ["dependencies"] = n.Meta.DependsOn.Select(d => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["package"] = d.PackageReference,
                ["apiVersion"] = "pkg.crossplane.io/v1",
                ["kind"] = d.PackageKind?.ToString(),
                ["type"] = d.PackageKind?.ToString(),
                ["constraints"] = d.Version,
            }).ToList(),
        }).ToList();
        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["apiVersion"] = "pkg.crossplane.io/v1beta1",
            ["kind"] = "Lock",
            ["metadata"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = "lock",
                ["finalizers"] = new List<object?> { "lock.pkg.crossplane.io" },
            },
            ["packages"] = packages,
            ["status"] = YamlTree.Map("conditions", new List<object?> { Conditions.Make("Resolved", "True", "DependencyResolutionSucceeded") }),
        };
    }
}
