using Xpkg.Oci;

namespace Xpkg.Packages;

/// <summary>The image holds no <c>package.yaml</c>: it is not a Crossplane package (or its base layer is wrong).</summary>
public sealed class PackageNotFoundException : InvalidInputException
{
    public PackageNotFoundException(string message, string? hint = null)
        : base(message, hint)
    {
    }
}
