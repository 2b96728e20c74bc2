namespace Xpkg.Packages.Linting;

/// <summary>One of Crossplane's per-object checks: a kind test and the error it gives when the test fails.</summary>
internal sealed record ObjectRule(string Error, Func<PackageObject, bool> Accepts)
{
    public static readonly ObjectRule Crd = new("object is not a CRD",
        o => KnownKinds.Is(o, KnownKinds.CrdGroup, "CustomResourceDefinition", "v1", "v1beta1"));

    public static readonly ObjectRule Mrd = new("object is not an MRD",
        o => KnownKinds.Is(o, KnownKinds.CrossplaneGroup, "ManagedResourceDefinition", "v1alpha1"));

    public static readonly ObjectRule Xrd = new("object is not an XRD",
        o => KnownKinds.Is(o, KnownKinds.CrossplaneGroup, "CompositeResourceDefinition", "v1", "v2"));

    public static readonly ObjectRule Composition = new("object is not a Composition",
        o => KnownKinds.Is(o, KnownKinds.CrossplaneGroup, "Composition", "v1"));

    // "an ValidatingWebhookConfiguration" and "an ManagedResourceActivationPolicy" are Crossplane's wording.
    public static readonly ObjectRule ValidatingWebhook = new("object is not an ValidatingWebhookConfiguration",
        o => KnownKinds.Is(o, KnownKinds.AdmissionGroup, "ValidatingWebhookConfiguration", "v1"));

    public static readonly ObjectRule MutatingWebhook = new("object is not a MutatingWebhookConfiguration",
        o => KnownKinds.Is(o, KnownKinds.AdmissionGroup, "MutatingWebhookConfiguration", "v1"));

    public static readonly ObjectRule ActivationPolicy = new("object is not an ManagedResourceActivationPolicy",
        o => KnownKinds.Is(o, KnownKinds.CrossplaneGroup, "ManagedResourceActivationPolicy", "v1alpha1"));

    public static readonly ObjectRule Operation = new("object is not an Operation",
        o => KnownKinds.Is(o, KnownKinds.OpsGroup, "Operation", "v1alpha1"));

    public static readonly ObjectRule CronOperation = new("object is not a CronOperation",
        o => KnownKinds.Is(o, KnownKinds.OpsGroup, "CronOperation", "v1alpha1"));

    public static readonly ObjectRule WatchOperation = new("object is not a WatchOperation",
        o => KnownKinds.Is(o, KnownKinds.OpsGroup, "WatchOperation", "v1alpha1"));
}
