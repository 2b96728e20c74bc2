using Xpkg.Oci;
using Xpkg.Testing;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary>
/// A real docker-registry (plain HTTP on 127.0.0.1) holding a dependency in several versions (v0.1.0, v0.2.0,
/// v1.0.0-rc.1 and the incomplete v1), a Provider with a separate runtime image, and a Configuration that
/// depends on both. Started once per test class and stopped by its PID.
/// </summary>
public sealed class RegistryPackages : IDisposable
{
    public static readonly string[] DependencyTags = ["v0.1.0", "v0.2.0", "v1.0.0-rc.1", "v1"];

    private readonly TestCache _seed = new();

    public RegistryPackages()
    {
        Registry = DistributionRegistry.Start(Path.Combine(_seed.Root, "registry"));
        foreach (string tag in DependencyTags)
        {
            Push($"{Repo}/function-dep:{tag}", Meta("Function", "function-dep") + $"# {tag}\n");
        }

        Push($"{Repo}/provider-runtime:v1.0.0", Meta("Provider", "not-a-package-just-an-image"));
        Push($"{Repo}/provider-p:v1.0.0", Meta("Provider", "provider-p") + Crd);
        Push($"{Repo}/configuration-parent:v1.0.0", Meta("Configuration", "parent",
            Dep("Function", $"{Repo}/function-dep", ">=v0.1.0") + Dep("Provider", $"{Repo}/provider-p", ">=v1.0.0")));
        RegistrySeed.PushIndexAsync(_seed, MultiPlatform, Meta("Function", "function-multi"), MultiPlatforms).GetAwaiter().GetResult();
    }

    /// <summary>The platforms of <see cref="MultiPlatform"/>, in index order.</summary>
    public static readonly Platform[] MultiPlatforms = [Platform.Parse("linux/amd64"), Platform.Parse("linux/arm64"), Platform.Parse("linux/arm/v7")];

    public DistributionRegistry Registry { get; }

    public string Repo => Registry.Authority + "/org";

    /// <summary>A Function pushed as an OCI index of one package per platform (<see cref="MultiPlatforms"/>).</summary>
    public string MultiPlatform => Repo + "/function-multi:v1.0.0";

    /// <summary>The Configuration, and a DeploymentRuntimeConfig that runs the Provider from its own runtime image.</summary>
    public string ParentManifests => PackageManifest("Configuration", "parent", $"{Repo}/configuration-parent:v1.0.0") + $$"""
        ---
        apiVersion: pkg.crossplane.io/v1beta1
        kind: DeploymentRuntimeConfig
        metadata:
          name: default
        spec:
          deploymentTemplate:
            spec:
              selector: {}
              template:
                spec:
                  containers:
                  - name: package-runtime
                    image: {{Repo}}/provider-runtime:v1.0.0

        """;

    public void Push(string reference, string packageYaml) => RegistrySeed.PushAsync(_seed, reference, packageYaml).GetAwaiter().GetResult();

    public void Dispose()
    {
        Registry.Dispose();
        _seed.Dispose();
    }
}
