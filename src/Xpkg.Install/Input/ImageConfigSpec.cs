namespace Xpkg.Install.Input;

/// <summary>A <c>pkg.crossplane.io/v1beta1</c> ImageConfig: prefixes it matches and what it does for them.</summary>
public sealed record ImageConfigSpec
{
    public required string Name { get; init; }

    /// <summary><c>spec.matchImages[].prefix</c>; the only match type is a plain string prefix.</summary>
    public required IReadOnlyList<string> Prefixes { get; init; }

    /// <summary><c>spec.registry.authentication.pullSecretRef.name</c>.</summary>
    public string? PullSecretName { get; init; }

    /// <summary><c>spec.rewriteImage.prefix</c>.</summary>
    public string? RewritePrefix { get; init; }

    /// <summary>True when <c>spec.verification</c> is set (cosign); xpkg records it but does not verify.</summary>
    public bool HasVerification { get; init; }

    /// <summary><c>spec.runtime.configRef.name</c>: a DeploymentRuntimeConfig.</summary>
    public string? RuntimeConfigName { get; init; }

    /// <summary>The longest of <see cref="Prefixes"/> that <paramref name="reference"/> starts with, or null.</summary>
    public string? LongestMatch(string reference)
        => Prefixes.Where(p => reference.StartsWith(p, StringComparison.Ordinal)).MaxBy(p => p.Length);
}
