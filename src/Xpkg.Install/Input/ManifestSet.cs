namespace Xpkg.Install.Input;

/// <summary>Everything read from the <c>-f</c> inputs of one install, checked for duplicates.</summary>
public sealed record ManifestSet
{
    public IReadOnlyList<PackageRequest> Packages { get; init; } = [];

    public IReadOnlyList<ImageConfigSpec> ImageConfigs { get; init; } = [];

    public IReadOnlyList<PullSecret> Secrets { get; init; } = [];

    public IReadOnlyList<RuntimeConfig> RuntimeConfigs { get; init; } = [];

    public PullSecret? FindSecret(string name) => Secrets.FirstOrDefault(s => s.Name == name);

    public RuntimeConfig? FindRuntimeConfig(string name) => RuntimeConfigs.FirstOrDefault(r => r.Name == name);
}
