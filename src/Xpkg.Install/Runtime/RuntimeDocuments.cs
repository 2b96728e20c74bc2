using Xpkg.Install.Input;
using Xpkg.Install.Resolution;
using Xpkg.Install.State;
using Xpkg.Packages;
using Xpkg.Transfer;

namespace Xpkg.Install.Runtime;

/// <summary>
/// The runtime of an active Function or Provider revision, as Crossplane's <c>Deployment</c> runtime builds
/// it: a ServiceAccount, a Deployment running the package image itself and a Service on port 9443. The image
/// is pinned by digest so a node that holds it never resolves the tag again, and <c>imagePullPolicy</c>
/// is the package's pull policy (so a <c>kind load</c>-ed image is used as is). The DeploymentRuntimeConfig
/// templates are laid over these defaults.
/// </summary>
public static class RuntimeDocuments
{
    public const string ContainerName = "package-runtime";
    public const int GrpcPort = 9443;
    public const int MetricsPort = 8080;

    internal static List<object> Build(PackageNode node, string revisionName, RuntimeConfig config, string ns)
    {
        var labels = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [RevisionDocument.RevisionLabel] = revisionName,
            [RevisionDocument.KindLabel(node.Kind)] = node.Name,
        };

        var serviceAccount = Object("v1", "ServiceAccount", revisionName, ns);
        Overlay(serviceAccount, config.ServiceAccountTemplate);
        string serviceAccountName = (string)((Dictionary<string, object?>)serviceAccount["metadata"]!)["name"]!;

        var deployment = Object("apps/v1", "Deployment", revisionName, ns);
        deployment["spec"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["replicas"] = 1L,
            ["selector"] = YamlTree.Map("matchLabels", Copy(labels)),
            ["template"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["metadata"] = YamlTree.Map("labels", Copy(labels)),
                ["spec"] = PodSpec(node, revisionName, serviceAccountName),
            },
        };
        Overlay(deployment, config.DeploymentTemplate);
        PinRuntimeContainer(deployment, node);

        var service = Object("v1", "Service", node.Name, ns);
        var port = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = node.Kind == PackageKind.Function ? "grpc" : "webhook",
            ["protocol"] = "TCP",
            ["port"] = (long)GrpcPort,
            ["targetPort"] = (long)GrpcPort,
        };
        service["spec"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["selector"] = Copy(labels),
            ["ports"] = new List<object?> { port },
        };
        if (node.Kind == PackageKind.Function)
        {
            // Headless, so gRPC clients resolving dns:///name.namespace:9443 balance across pods.
            ((Dictionary<string, object?>)service["spec"]!)["clusterIP"] = "None";
        }

        Overlay(service, config.ServiceTemplate);
        return [serviceAccount, deployment, service];
    }

    /// <summary>
    /// Every image the runtime Deployment runs: the package image (pinned) unless the template names its
    /// own, and the images of any other containers and init containers the template adds.
    /// </summary>
    internal static IReadOnlyList<string> Images(PackageNode node, RuntimeConfig config)
    {
        var deployment = (Dictionary<string, object?>)Build(node, node.RevisionName, config, InstallOptions.DefaultNamespace)[1];
        var podSpec = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)deployment["spec"]!)["template"]!)["spec"]!;
        return new[] { "initContainers", "containers" }
            .SelectMany(key => podSpec.GetValueOrDefault(key) as List<object?> ?? [])
            .OfType<Dictionary<string, object?>>()
            .Select(c => c.GetValueOrDefault("image") as string)
            .OfType<string>()
            .Where(i => i.Length > 0)
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    private static Dictionary<string, object?> PodSpec(PackageNode node, string revisionName, string serviceAccountName)
    {
        var ports = new List<object?>
        {
            Port(node.Kind == PackageKind.Function ? "grpc" : "webhook", GrpcPort),
            Port("metrics", MetricsPort),
        };
        var env = new List<object?>
        {
            Env(node.Kind == PackageKind.Function ? "FUNCTION_NAME" : "PROVIDER_NAME", node.Name),
            Env("REVISION_NAME", revisionName),
        };
        var container = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = ContainerName,
            ["ports"] = ports,
            ["env"] = env,
            ["securityContext"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["allowPrivilegeEscalation"] = false,
                ["privileged"] = false,
                ["readOnlyRootFilesystem"] = true,
                ["runAsNonRoot"] = true,
                ["runAsUser"] = 2000L,
                ["runAsGroup"] = 2000L,
            },
        };
        var spec = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["serviceAccountName"] = serviceAccountName,
            ["securityContext"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["runAsNonRoot"] = true,
                ["runAsUser"] = 2000L,
                ["runAsGroup"] = 2000L,
            },
            ["containers"] = new List<object?> { container },
        };
        if (node.PullSecrets.Count > 0)
        {
            spec["imagePullSecrets"] = node.PullSecrets.Select(s => (object?)YamlTree.Map("name", s)).ToList();
        }

        return spec;
    }

    /// <summary>The template may name its own image; the pull policy is always the package's, as in Crossplane.</summary>
    private static void PinRuntimeContainer(Dictionary<string, object?> deployment, PackageNode node)
    {
        var podSpec = (Dictionary<string, object?>)((Dictionary<string, object?>)((Dictionary<string, object?>)deployment["spec"]!)["template"]!)["spec"]!;
        var containers = (List<object?>)podSpec["containers"]!;
        var runtime = containers.OfType<Dictionary<string, object?>>().First(c => Equals(c.GetValueOrDefault("name"), ContainerName));
        object? image = runtime.GetValueOrDefault("image") is string { Length: > 0 } own ? own : node.Image.PinnedReference;

        // name, image and pull policy first, where a reader looks for them.
        var rest = runtime.Where(kv => kv.Key is not ("name" or "image" or "imagePullPolicy")).ToList();
        runtime.Clear();
        runtime["name"] = ContainerName;
        runtime["image"] = image;
        runtime["imagePullPolicy"] = node.Request.PackagePullPolicy.ToString();
        foreach (var (key, value) in rest)
        {
            runtime[key] = value;
        }
    }

    private static void Overlay(Dictionary<string, object?> target, YamlDotNet.RepresentationModel.YamlMappingNode? template)
    {
        if (template is not null)
        {
            YamlTree.Merge(target, YamlTree.ToMap(template));
        }
    }

    private static Dictionary<string, object?> Object(string apiVersion, string kind, string name, string ns) => new(StringComparer.Ordinal)
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["metadata"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = name, ["namespace"] = ns },
    };

    private static Dictionary<string, object?> Port(string name, int port) => new(StringComparer.Ordinal)
    {
        ["name"] = name,
        ["containerPort"] = (long)port,
        ["protocol"] = "TCP",
    };

    private static Dictionary<string, object?> Env(string name, string value) => new(StringComparer.Ordinal) { ["name"] = name, ["value"] = value };

    private static Dictionary<string, object?> Copy(Dictionary<string, object?> map) => new(map, StringComparer.Ordinal);
}
