using Xpkg.Install.Resolution;
using Xpkg.Install.Runtime;
using Xpkg.Packages;
using Xpkg.Transfer;

namespace Xpkg.Install.State;

/// <summary>
/// A <c>FunctionRevision</c>, <c>ProviderRevision</c> or <c>ConfigurationRevision</c> with spec and status,
/// as Crossplane's package manager and revision reconciler would leave it.
/// </summary>
internal static class RevisionDocument
{
    public const string PackageLabel = "pkg.crossplane.io/package";
    public const string RevisionLabel = "pkg.crossplane.io/revision";

    public static Dictionary<string, object?> Build(PackageNode node, PlannedRevision revision, IReadOnlyList<PackageNode> closure, string runtimeNote, string ns)
    {
        var r = node.Request;
        var labels = new Dictionary<string, string>(r.CommonLabels, StringComparer.Ordinal)
        {
            [PackageLabel] = r.Name,
            [KindLabel(r.Kind)] = r.Name,
        };
        var metadata = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = revision.Name };
        PackageDocument.AddMap(metadata, "labels", labels);
        var annotations = new Dictionary<string, string>(r.CommonAnnotations, StringComparer.Ordinal);
        foreach (var (k, v) in node.Meta.Annotations)
        {
            annotations[k] = v;
        }

        PackageDocument.AddMap(metadata, "annotations", annotations);

        var spec = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["desiredState"] = revision.Active ? "Active" : "Inactive",
            ["image"] = r.Package.Original,
            ["packagePullPolicy"] = r.PackagePullPolicy.ToString(),
        };
        if (node.PullSecrets.Count > 0)
        {
            spec["packagePullSecrets"] = node.PullSecrets.Select(s => (object?)YamlTree.Map("name", s)).ToList();
        }

        spec["revision"] = revision.Number;
        spec["ignoreCrossplaneConstraints"] = r.IgnoreCrossplaneConstraints;
        spec["skipDependencyResolution"] = r.SkipDependencyResolution;
        PackageDocument.AddMap(spec, "commonLabels", r.CommonLabels);
        if (node.RuntimeConfigName is { } runtime)
        {
            spec["runtimeConfigRef"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["apiVersion"] = "pkg.crossplane.io/v1beta1",
                ["kind"] = "DeploymentRuntimeConfig",
                ["name"] = runtime,
            };
        }

        return new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["apiVersion"] = "pkg.crossplane.io/v1",
            ["kind"] = r.Kind + "Revision",
            ["metadata"] = metadata,
            ["spec"] = spec,
            ["status"] = Status(node, closure, runtimeNote, ns),
        };
    }

    private static Dictionary<string, object?> Status(PackageNode node, IReadOnlyList<PackageNode> closure, string runtimeNote, string ns)
    {
        var conditions = new List<object?> { Conditions.Make("RevisionHealthy", "True", "HealthyPackageRevision") };
        if (node.Request.HasRuntime)
        {
            conditions.Add(Conditions.Make("RuntimeHealthy", "Unknown", "UnknownPackageRevisionHealth", runtimeNote));
        }

        int found = node.Meta.DependsOn.Count;
        int installed = node.Requirements.Count(req => closure.Any(n => n.Key == req.Key));
        var status = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["conditions"] = conditions,
            ["resolvedImage"] = node.ResolvedPackage,
        };
        if (node.Meta.EffectiveCapabilities.Count > 0)
        {
            status["capabilities"] = node.Meta.EffectiveCapabilities.Select(c => (object?)c).ToList();
        }

        status["foundDependencies"] = (long)found;
        status["installedDependencies"] = (long)installed;
        status["invalidDependencies"] = 0L;
        var objects = InstalledObjects(node);
        if (objects.Count > 0)
        {
            status["objectRefs"] = objects.Select(o => (object?)new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["apiVersion"] = o.ApiVersion,
                ["kind"] = o.Kind,
                ["name"] = o.Name,
            }).ToList();
        }

        if (node.AppliedImageConfigs.Count > 0)
        {
            status["appliedImageConfigRefs"] = PackageDocument.AppliedImageConfigRefs(node);
        }

        if (node.Kind == PackageKind.Function)
        {
            status["endpoint"] = $"dns:///{node.Name}.{ns}:{RuntimeDocuments.GrpcPort}";
        }

        return status;
    }

    /// <summary>The objects a revision establishes; a Function's CRDs only describe its input and are never installed.</summary>
    public static IReadOnlyList<PackageObject> InstalledObjects(PackageNode node)
        => node.Kind == PackageKind.Function ? [] : node.Package.Objects;

    public static string KindLabel(PackageKind kind) => "pkg.crossplane.io/" + StateLayout.Lower(kind);
}
