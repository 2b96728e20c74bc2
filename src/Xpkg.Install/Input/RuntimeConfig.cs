using YamlDotNet.RepresentationModel;

namespace Xpkg.Install.Input;

/// <summary>
/// A <c>pkg.crossplane.io/v1beta1</c> DeploymentRuntimeConfig. The templates are Kubernetes object
/// fragments, kept as trees and merged over the runtime objects xpkg generates.
/// </summary>
public sealed record RuntimeConfig
{
    public required string Name { get; init; }

    /// <summary><c>spec.deploymentTemplate</c> (<c>metadata</c>, <c>spec</c>).</summary>
    public YamlMappingNode? DeploymentTemplate { get; init; }

    public YamlMappingNode? ServiceTemplate { get; init; }

    public YamlMappingNode? ServiceAccountTemplate { get; init; }

    /// <summary>What Crossplane uses when a package names <c>default</c> and none was given: no changes.</summary>
    public static RuntimeConfig Empty(string name) => new() { Name = name };
}
