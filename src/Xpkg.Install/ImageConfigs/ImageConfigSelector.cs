using Xpkg.Install.Input;

namespace Xpkg.Install.ImageConfigs;

/// <summary>
/// Crossplane's ImageConfig selection: for each purpose independently, among the ImageConfigs that have that
/// section, the one with the longest plain string prefix of the reference wins (no wildcards, no
/// normalisation). Ties go to the name that sorts first, so a run is reproducible.
/// </summary>
public sealed class ImageConfigSelector
{
    private readonly IReadOnlyList<ImageConfigSpec> _configs;

    public ImageConfigSelector(IReadOnlyList<ImageConfigSpec> configs)
    {
        _configs = configs.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
    }

    /// <summary>The rewritten reference text and the ImageConfig that rewrote it, or the text unchanged.</summary>
    public (string Reference, ImageConfigMatch? Match) Rewrite(string reference)
    {
        var match = Select(reference, ImageConfigPurpose.RewriteImage, c => c.RewritePrefix is not null);
        if (match is null)
        {
            return (reference, null);
        }

        var config = _configs.First(c => c.Name == match.Name);
        return (config.RewritePrefix + reference[match.Prefix.Length..], match);
    }

    /// <summary>The pull secret for an (already rewritten) reference.</summary>
    public (string SecretName, ImageConfigMatch Match)? PullSecret(string reference)
        => Select(reference, ImageConfigPurpose.SetImagePullSecret, c => c.PullSecretName is not null) is { } m
            ? (_configs.First(c => c.Name == m.Name).PullSecretName!, m)
            : null;

    /// <summary>The DeploymentRuntimeConfig for an (already rewritten) reference.</summary>
    public (string RuntimeConfigName, ImageConfigMatch Match)? RuntimeConfig(string reference)
        => Select(reference, ImageConfigPurpose.ConfigureRuntime, c => c.RuntimeConfigName is not null) is { } m
            ? (_configs.First(c => c.Name == m.Name).RuntimeConfigName!, m)
            : null;

    /// <summary>The ImageConfig that asks for signature verification of an (already rewritten) reference.</summary>
    public ImageConfigMatch? Verification(string reference)
        => Select(reference, ImageConfigPurpose.VerifyImage, c => c.HasVerification);

    private ImageConfigMatch? Select(string reference, ImageConfigPurpose purpose, Func<ImageConfigSpec, bool> relevant)
    {
        ImageConfigMatch? best = null;
        foreach (var config in _configs.Where(relevant))
        {
            if (config.LongestMatch(reference) is { } prefix && (best is null || prefix.Length > best.Prefix.Length))
            {
                best = new ImageConfigMatch(config.Name, purpose, prefix);
            }
        }

        return best;
    }
}
