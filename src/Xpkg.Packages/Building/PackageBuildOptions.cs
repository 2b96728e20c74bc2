namespace Xpkg.Packages.Building;

/// <summary>What <c>xpkg build</c> is asked to do (the flags of <c>crossplane xpkg build</c>).</summary>
public sealed record PackageBuildOptions
{
    /// <summary>The directory walked for package YAML (<c>--package-root</c>).</summary>
    public required string PackageRoot { get; init; }

    /// <summary>
    /// The examples directory (<c>--examples-root</c>); relative paths are taken from the current directory,
    /// as Crossplane does. Null means <c>./examples</c>. An absent directory means no examples layer.
    /// </summary>
    public string? ExamplesRoot { get; init; }

    /// <summary>File patterns relative to the package root (and the examples root) to leave out (<c>--ignore</c>).</summary>
    public IReadOnlyList<string> Ignore { get; init; } = [];

    /// <summary>The runtime image to build on, or null for a package-only image.</summary>
    public RuntimeImage? Runtime { get; init; }

    /// <summary>Where the layer blobs are kept until the built package is disposed; null for the system temp directory.</summary>
    public string? TempDirectory { get; init; }
}
