using System.Text.RegularExpressions;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Transfer;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Install.Input;

/// <summary>
/// Turns one manifest document into the object it describes. Kinds other than the ones <c>xpkg install</c>
/// acts on, and fields Crossplane does not have, are bad input rather than something to skip, because a
/// skipped manifest silently installs something other than what was asked for.
/// </summary>
internal static partial class ManifestDecoder
{
    public const string PkgGroup = "pkg.crossplane.io";
    public const string DockerConfigJsonType = "kubernetes.io/dockerconfigjson";
    public const string DockerConfigJsonKey = ".dockerconfigjson";

    private const string KindsHint = "xpkg install reads pkg.crossplane.io/v1 Provider, Configuration and Function (also v1beta1 Function), "
        + "pkg.crossplane.io/v1beta1 ImageConfig and DeploymentRuntimeConfig, and v1 Secrets of type kubernetes.io/dockerconfigjson";

    public static object Decode(YamlMappingNode root)
    {
        var top = new FieldReader(root, "");
        string apiVersion = top.String("apiVersion") is { Length: > 0 } v ? v : throw new InvalidInputException("Object 'apiVersion' is missing", KindsHint);
        string kind = top.String("kind") is { Length: > 0 } k ? k : throw new InvalidInputException("Object 'Kind' is missing", KindsHint);
        var metadata = top.Mapping("metadata") ?? throw new InvalidInputException("metadata.name: required");
        _ = top.Raw("status");
        object result = (apiVersion, kind) switch
        {
            ("pkg.crossplane.io/v1", "Provider") => DecodePackage(PackageKind.Provider, apiVersion, metadata, top.Mapping("spec")),
            ("pkg.crossplane.io/v1", "Configuration") => DecodePackage(PackageKind.Configuration, apiVersion, metadata, top.Mapping("spec")),
            ("pkg.crossplane.io/v1" or "pkg.crossplane.io/v1beta1", "Function") => DecodePackage(PackageKind.Function, apiVersion, metadata, top.Mapping("spec")),
            ("pkg.crossplane.io/v1beta1", "ImageConfig") => ImageConfigDecoder.Decode(metadata, top.Mapping("spec")),
            ("pkg.crossplane.io/v1beta1", "DeploymentRuntimeConfig") => DecodeRuntimeConfig(metadata, top.Mapping("spec")),
            ("v1", "Secret") => PullSecretDecoder.Decode(metadata, top),
            _ => throw new InvalidInputException($"no kind \"{kind}\" is registered for version \"{apiVersion}\"", KindsHint),
        };
        top.RejectUnknown();
        return result;
    }

    private static PackageRequest DecodePackage(PackageKind kind, string apiVersion, FieldReader metadata, FieldReader? spec)
    {
        var (name, labels, annotations) = ReadMetadata(metadata);
        if (spec is null)
        {
            throw new InvalidInputException("spec.package: required", "e.g. spec: {package: registry.example.com/org/function-x:v1.0.0}");
        }

        var package = ParsePackageReference(spec.RequiredString("package"), "spec.package");
        string? runtimeConfig = null;
        if (kind != PackageKind.Configuration)
        {
            var reference = spec.Mapping("runtimeConfigRef");
            if (reference is not null)
            {
                string refApi = reference.String("apiVersion") ?? "pkg.crossplane.io/v1beta1";
                string refKind = reference.String("kind") ?? "DeploymentRuntimeConfig";
                if (refApi != "pkg.crossplane.io/v1beta1" || refKind != "DeploymentRuntimeConfig")
                {
                    throw new InvalidInputException($"spec.runtimeConfigRef: {refApi} {refKind} is not a DeploymentRuntimeConfig",
                        "runtimeConfigRef names a pkg.crossplane.io/v1beta1 DeploymentRuntimeConfig");
                }

                runtimeConfig = reference.RequiredString("name");
                reference.RejectUnknown();
            }

            runtimeConfig ??= "default";
        }

        long limit = spec.Integer("revisionHistoryLimit") ?? 1;
        if (limit < 0)
        {
            throw new InvalidInputException("spec.revisionHistoryLimit: must be 0 or more", "0 keeps every revision");
        }

        var request = new PackageRequest
        {
            Kind = kind,
            ApiVersion = apiVersion,
            Name = name,
            Labels = labels,
            Annotations = annotations,
            Package = package,
            RevisionActivationPolicy = spec.Enum<ActivationPolicy>("revisionActivationPolicy") ?? ActivationPolicy.Automatic,
            RevisionHistoryLimit = limit,
            PackagePullSecrets = spec.MappingList("packagePullSecrets").Select(ReadLocalReference).ToList(),
            PackagePullPolicy = spec.Enum<PullPolicy>("packagePullPolicy") ?? PullPolicy.IfNotPresent,
            IgnoreCrossplaneConstraints = spec.Bool("ignoreCrossplaneConstraints") ?? false,
            SkipDependencyResolution = spec.Bool("skipDependencyResolution") ?? false,
            CommonLabels = spec.StringMap("commonLabels"),
            CommonAnnotations = spec.StringMap("commonAnnotations"),
            RuntimeConfigName = runtimeConfig,
        };
        spec.RejectUnknown();
        return request;
    }

    private static RuntimeConfig DecodeRuntimeConfig(FieldReader metadata, FieldReader? spec)
    {
        var (name, _, _) = ReadMetadata(metadata);
        var result = new RuntimeConfig
        {
            Name = name,
            DeploymentTemplate = Template(spec, "deploymentTemplate"),
            ServiceTemplate = Template(spec, "serviceTemplate"),
            ServiceAccountTemplate = Template(spec, "serviceAccountTemplate"),
        };
        spec?.RejectUnknown();
        return result;
    }

    private static YamlMappingNode? Template(FieldReader? spec, string key)
    {
        var template = spec?.Mapping(key);
        if (template is null)
        {
            return null;
        }

        _ = template.Mapping("metadata");
        _ = template.Mapping("spec");
        template.RejectUnknown();
        return template.Node;
    }

    private static string ReadLocalReference(FieldReader reference)
    {
        string name = reference.RequiredString("name");
        reference.RejectUnknown();
        return name;
    }

    internal static (string Name, IReadOnlyDictionary<string, string> Labels, IReadOnlyDictionary<string, string> Annotations) ReadMetadata(FieldReader metadata)
    {
        string name = metadata.RequiredString("name");
        if (name.Length > 253 || !NameRegex().IsMatch(name))
        {
            throw new InvalidInputException($"metadata.name: \"{name}\" is not a valid name",
                "a name is lowercase letters, digits, '-' and '.', starting and ending with a letter or digit");
        }

        // Other metadata (uid, resourceVersion, ...) appears in objects exported from a cluster; it is not ours to judge.
        return (name, metadata.StringMap("labels"), metadata.StringMap("annotations"));
    }

    /// <summary>
    /// Crossplane's CEL rule for <c>spec.package</c> (v2): a registry host with a dot, a repository, and a
    /// tag or digest. Short names would be resolved against a default registry that Crossplane no longer has.
    /// </summary>
    public static ImageReference ParsePackageReference(string text, string field)
    {
        if (!PackageRuleRegex().IsMatch(text))
        {
            throw new InvalidInputException($"{field}: \"{text}\" is not a fully qualified package reference",
                "Crossplane requires registry.with.dot/repository:tag or ...@sha256:<hex>, e.g. registry.example.com/org/provider-x:v1.0.0");
        }

        return ImageReference.Parse(text);
    }

    [GeneratedRegex(@"^[^\./]+(\.[^\./]+)+(/[^/:@]+)+(:[^:@]+(@sha256.+)?|@sha256.+)$")]
    private static partial Regex PackageRuleRegex();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex NameRegex();
}
