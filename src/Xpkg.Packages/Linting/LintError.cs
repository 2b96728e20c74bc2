using Xpkg.Oci;

namespace Xpkg.Packages.Linting;

/// <summary>
/// The first check a package failed. <see cref="Message"/> is Crossplane's wording, unchanged, because users
/// search for it; <see cref="Object"/> says which document it concerns, when it concerns one.
/// </summary>
public sealed record LintError(string Message, PackageObject? Object = null)
{
    public override string ToString()
        => Object is null ? Message : $"{Object.Position}: {Object.Kind} \"{Object.Name}\": {Message}";

    /// <summary>Bad input (exit 2) with Crossplane's message after <paramref name="prefix"/>.</summary>
    public InvalidInputException ToException(string prefix = "package is invalid") => new(prefix + ": " + ToString(), Hint);

    private string? Hint => Message switch
    {
        PackageLinter.NotExactlyOneMeta => "a package needs exactly one meta.pkg.crossplane.io Provider, Configuration or Function (usually crossplane.yaml)",
        _ when Message.StartsWith(PackageLinter.BadConstraints, StringComparison.Ordinal)
            => "spec.crossplane.version takes a semver constraint such as \">=v1.14.0-0\" or \"^v2.0.0\"",
        _ when Object is PackageMeta meta && Message.StartsWith("package meta type is not", StringComparison.Ordinal)
            => $"this package is a {meta.PackageKind}; install it as a pkg.crossplane.io {meta.PackageKind}",
        _ when Object is not null and not PackageMeta
            => "Functions may contain only CRDs; Providers CRDs, MRDs and webhook configurations; Configurations XRDs, Compositions, activation policies and operations",
        _ => null,
    };
}
