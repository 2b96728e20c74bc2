using Xpkg.Install.Resolution;
using Xpkg.Transfer;

namespace Xpkg.Install.State;

/// <summary>The <c>pkg.crossplane.io/v1</c> package object with its spec (defaults filled in) and status.</summary>
internal static class PackageDocument
{
    public static Dictionary<string, object?> Build(PackageNode node, RevisionPlan plan, string runtimeNote)
    {
        var r = node.Request;
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = r.Name };
        AddMap(metadata, "labels", r.Labels);
        AddMap(metadata, "annotations", r.Annotations);

        var spec = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["package"] = r.Package.Original,
            ["revisionActivationPolicy"] = r.RevisionActivationPolicy.ToString(),
            ["revisionHistoryLimit"] = r.RevisionHistoryLimit,
            ["packagePullPolicy"] = r.PackagePullPolicy.ToString(),
        };
        if (r.PackagePullSecrets.Count > 0)
        {
            spec["packagePullSecrets"] = r.PackagePullSecrets.Select(s => (object?)YamlTree.Map("name", s)).ToList();
        }

        spec["ignoreCrossplaneConstraints"] = r.IgnoreCrossplaneConstraints;
        spec["skipDependencyResolution"] = r.SkipDependencyResolution;
        AddMap(spec, "commonLabels", r.CommonLabels);
        AddMap(spec, "commonAnnotations", r.CommonAnnotations);
        if (r.RuntimeConfigName is { } runtime)
        {
            spec["runtimeConfigRef"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["apiVersion"] = "pkg.crossplane.io/v1beta1",
                ["kind"] = "DeploymentRuntimeConfig",
                ["name"] = runtime,
            };
        }

        bool active = plan.Current.Active;
        var conditions = new List<object?>
        {
            active
                ? Conditions.Make("Installed", "True", "ActivePackageRevision")
                : Conditions.Make("Installed", "False", "InactivePackageRevision", "revisionActivationPolicy is Manual: set spec.desiredState: Active on the revision to activate it"),
            node.Request.HasRuntime
                ? Conditions.Make("Healthy", "Unknown", "UnknownPackageRevisionHealth", runtimeNote)
                : Conditions.Make("Healthy", "True", "HealthyPackageRevision"),
        };
        var status = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["conditions"] = conditions,
            ["currentRevision"] = plan.Current.Name,
            ["currentIdentifier"] = r.Package.Original,
            ["resolvedPackage"] = node.ResolvedPackage,
        };
        if (node.AppliedImageConfigs.Count > 0)
        {
            status["appliedImageConfigRefs"] = AppliedImageConfigRefs(node);
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["apiVersion"] = "pkg.crossplane.io/v1",
            ["kind"] = r.Kind.ToString(),
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = status,
        };
    }

    public static List<object?> AppliedImageConfigRefs(PackageNode node)
        => node.AppliedImageConfigs.Select(m => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = m.Name,
            ["reason"] = m.Purpose.ToString(),
        }).ToList();

    public static void AddMap(Dictionary<string, object?> target, string key, IReadOnlyDictionary<string, string> map)
    {
        if (map.Count > 0)
        {
            target[key] = map.OrderBy(kv => kv.Key, StringComparer.Ordinal).ToDictionary(kv => kv.Key, kv => (object?)kv.Value, StringComparer.Ordinal);
        }
    }
}
