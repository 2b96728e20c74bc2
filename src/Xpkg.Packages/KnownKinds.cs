namespace Xpkg.Packages;

/// <summary>
/// The kinds Crossplane's package parser decodes: the meta scheme, then the object scheme
/// (crossplane-runtime <c>pkg/xpkg/scheme.go</c>). Anything else is a parse error, not a lint error.
/// </summary>
public static class KnownKinds
{
    public const string MetaGroup = "meta.pkg.crossplane.io";
    public const string CrdGroup = "apiextensions.k8s.io";
    public const string CrossplaneGroup = "apiextensions.crossplane.io";
    public const string OpsGroup = "ops.crossplane.io";
    public const string AdmissionGroup = "admissionregistration.k8s.io";

    private static readonly Dictionary<(string ApiVersion, string Kind), PackageKind> Metas = new()
    {
        [(MetaGroup + "/v1", "Provider")] = PackageKind.Provider,
        [(MetaGroup + "/v1", "Configuration")] = PackageKind.Configuration,
        [(MetaGroup + "/v1", "Function")] = PackageKind.Function,
        [(MetaGroup + "/v1beta1", "Function")] = PackageKind.Function,
        [(MetaGroup + "/v1alpha1", "Provider")] = PackageKind.Provider,
        [(MetaGroup + "/v1alpha1", "Configuration")] = PackageKind.Configuration,
    };

    // Whole group-versions are registered upstream, so kinds no linter accepts (CompositionRevision,
    // admission policies) still decode and are then rejected by the linter with its own message.
    private static readonly HashSet<(string ApiVersion, string Kind)> Objects =
    [
        (CrdGroup + "/v1", "CustomResourceDefinition"),
        (CrdGroup + "/v1beta1", "CustomResourceDefinition"),
        (CrossplaneGroup + "/v1", "CompositeResourceDefinition"),
        (CrossplaneGroup + "/v2", "CompositeResourceDefinition"),
        (CrossplaneGroup + "/v1", "Composition"),
        (CrossplaneGroup + "/v1", "CompositionRevision"),
        (CrossplaneGroup + "/v1alpha1", "ManagedResourceDefinition"),
        (CrossplaneGroup + "/v1alpha1", "ManagedResourceActivationPolicy"),
        (CrossplaneGroup + "/v1alpha1", "Usage"),
        (OpsGroup + "/v1alpha1", "Operation"),
        (OpsGroup + "/v1alpha1", "CronOperation"),
        (OpsGroup + "/v1alpha1", "WatchOperation"),
        (AdmissionGroup + "/v1", "ValidatingWebhookConfiguration"),
        (AdmissionGroup + "/v1", "MutatingWebhookConfiguration"),
        (AdmissionGroup + "/v1", "ValidatingAdmissionPolicy"),
        (AdmissionGroup + "/v1", "ValidatingAdmissionPolicyBinding"),
    ];

    /// <summary>The package kind when <paramref name="apiVersion"/>/<paramref name="kind"/> is a meta type.</summary>
    public static PackageKind? MetaKind(string apiVersion, string kind)
        => Metas.TryGetValue((apiVersion, kind), out var k) ? k : null;

    public static bool IsObject(string apiVersion, string kind) => Objects.Contains((apiVersion, kind));

    public static bool Is(PackageObject o, string group, string kind, params string[] versions)
        => o.Kind == kind && versions.Any(v => o.ApiVersion == group + "/" + v);
}
