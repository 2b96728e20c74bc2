namespace Xpkg.Install.ImageConfigs;

/// <summary>Why an ImageConfig applied to a package, with Crossplane's <c>appliedImageConfigRefs</c> reasons.</summary>
public enum ImageConfigPurpose
{
    SetImagePullSecret,
    VerifyImage,
    RewriteImage,
    ConfigureRuntime,
}

/// <summary>An ImageConfig chosen for one purpose, and the prefix that made it win.</summary>
public sealed record ImageConfigMatch(string Name, ImageConfigPurpose Purpose, string Prefix);
