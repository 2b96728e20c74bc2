namespace Xpkg.Install.Input;

/// <summary>Everything read from the <c>-f</c> inputs of one install, checked for duplicates.</summary>
public sealed record ManifestSet
{
    public IReadOnlyList<PackageRequest> Packages { get; init; } = [];

    public IReadOnlyList<ImageConfigSpec> ImageConfigs { get; init; } = [];

    public IReadOnlyList<PullSecret> Secrets { get; init; } = [];

    public IReadOnlyList<RuntimeConfig> RuntimeConfigs { get; init; } = [];

    /// <summary>
    /// The Secrets some package (<c>packagePullSecrets</c>) or ImageConfig (<c>pullSecretRef</c>) names: as in
    /// Crossplane, only these log in; a Secret among the inputs that nothing names is not used.
    /// </summary>
    public IReadOnlyList<PullSecret> ReferencedSecrets
        => Secrets.Where(s => Packages.Any(p => p.PackagePullSecrets.Contains(s.Name)) || ImageConfigs.Any(c => c.PullSecretName == s.Name)).ToList();

    public PullSecret? FindSecret(string name) => Secrets.FirstOrDefault(s => s.Name == name);

    public RuntimeConfig? FindRuntimeConfig(string name) => RuntimeConfigs.FirstOrDefault(r => r.Name == name);
}
