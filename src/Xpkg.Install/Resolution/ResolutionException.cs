using Xpkg.Oci;

namespace Xpkg.Install.Resolution;

/// <summary>Dependencies that cannot be satisfied: conflicts, cycles, no valid version (exit 1).</summary>
public sealed class ResolutionException : XpkgException
{
    public ResolutionException(string message, string? hint = null)
        : base(message, hint)
    {
    }
}
