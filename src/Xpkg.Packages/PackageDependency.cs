using Xpkg.Oci;

namespace Xpkg.Packages;

/// <summary>
/// One <c>spec.dependsOn</c> entry as written. Two styles exist: <c>apiVersion</c> + <c>kind</c> +
/// <c>package</c>, and the deprecated <c>provider</c> / <c>configuration</c> / <c>function</c> keys.
/// <c>version</c> is a semver constraint or a digest; Crossplane does not lint it, so it is kept as text
/// and only interpreted at resolution time.
/// </summary>
public sealed record PackageDependency
{
    public string? ApiVersion { get; init; }

    public string? Kind { get; init; }

    public string? Package { get; init; }

    public string? Provider { get; init; }

    public string? Configuration { get; init; }

    public string? Function { get; init; }

    /// <summary>The constraint (<c>&gt;=v1.0.0</c>) or digest (<c>sha256:…</c>) exactly as written.</summary>
    public string Version { get; init; } = "";

    /// <summary>True when all three new-style fields are set; they then win over the deprecated keys.</summary>
    public bool IsExplicit => ApiVersion is not null && Kind is not null && Package is not null;

    /// <summary>The package image the dependency names (without tag), whichever style is used.</summary>
    public string? PackageReference => IsExplicit ? Package : Configuration ?? Provider ?? Function;

    /// <summary>
    /// The package kind: from <c>kind</c> for the explicit style, otherwise from the deprecated key used.
    /// Null when neither style is complete, which Crossplane reports as an invalid dependency.
    /// </summary>
    public PackageKind? PackageKind
    {
        get
        {
            if (IsExplicit)
            {
                return Enum.TryParse<PackageKind>(Kind, ignoreCase: false, out var k) ? k : null;
            }

            return Configuration is not null ? Packages.PackageKind.Configuration
                : Provider is not null ? Packages.PackageKind.Provider
                : Function is not null ? Packages.PackageKind.Function
                : null;
        }
    }

    /// <summary>The pinned digest when <see cref="Version"/> is one (compared exactly, not as semver).</summary>
    public Digest? VersionDigest => Digest.TryParse(Version, out var d) ? d : null;
}
