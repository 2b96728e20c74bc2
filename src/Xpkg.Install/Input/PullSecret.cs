namespace Xpkg.Install.Input;

/// <summary>
/// A <c>kubernetes.io/dockerconfigjson</c> Secret, named by <c>packagePullSecrets</c> or an ImageConfig
/// <c>pullSecretRef</c>. The decoded <c>.dockerconfigjson</c> is kept for the registry client.
/// </summary>
public sealed record PullSecret(string Name, string? Namespace, string DockerConfigJson, IReadOnlyList<string> Registries);
