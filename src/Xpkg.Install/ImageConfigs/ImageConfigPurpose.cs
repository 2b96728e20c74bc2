namespace Xpkg.Install.ImageConfigs;

/// <summary>Why an ImageConfig applied to a package, with Crossplane's <c>appliedImageConfigRefs</c> reasons.</summary>
public enum ImageConfigPurpose
{
    SetImagePullSecret,
    VerifyImage,
    RewriteImage,
    ConfigureRuntime,
}
