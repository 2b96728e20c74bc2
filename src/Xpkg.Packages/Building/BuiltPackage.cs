using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages.Building;

/// <summary>
/// A built package image: manifest and config in memory, the package layers in temporary files, the runtime
/// layers (if any) still in the runtime image's source. It is a content source, so any writer or copy engine
/// can take it from here; disposing it deletes the temporary files.
/// </summary>
public sealed class BuiltPackage : IContentSource, IAsyncDisposable, IDisposable
{
    private readonly string _tempDirectory;
    private readonly IContentSource? _runtime;

    internal BuiltPackage(string tempDirectory, ParsedPackage package, byte[] manifest, Descriptor root, byte[] config, Descriptor configDescriptor,
        IReadOnlyList<Descriptor> layers, IReadOnlyList<PackageLayer> packageLayers, IContentSource? runtime)
    {
        _tempDirectory = tempDirectory;
        Package = package;
        ManifestBytes = manifest;
        Root = root;
        ConfigBytes = config;
        Config = configDescriptor;
        Layers = layers;
        PackageLayers = packageLayers;
        _runtime = runtime;
    }

    public string Description => "built package " + Root.Digest;

    public ParsedPackage Package { get; }

    public PackageMeta Meta => Package.Meta!;

    /// <summary>The image manifest's descriptor: the digest of the package.</summary>
    public Descriptor Root { get; }

    public byte[] ManifestBytes { get; }

    public Descriptor Config { get; }

    public byte[] ConfigBytes { get; }

    /// <summary>All layers in manifest order: runtime layers, then package.yaml, then examples.</summary>
    public IReadOnlyList<Descriptor> Layers { get; }

    /// <summary>The layers this build wrote (package.yaml and examples), with their roles and diff_ids.</summary>
    public IReadOnlyList<PackageLayer> PackageLayers { get; }

    /// <summary>Crossplane's default output name: <c>FriendlyID(meta name, manifest digest hex).xpkg</c>.</summary>
    public string DefaultFileName => PackageNames.FriendlyId(Meta.Name, Root.Digest.Encoded) + PackageNames.Extension;

    public Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (descriptor.Digest == Root.Digest)
        {
            return Task.FromResult<Stream>(new MemoryStream(ManifestBytes, writable: false));
        }

        if (descriptor.Digest == Config.Digest)
        {
            return Task.FromResult<Stream>(new MemoryStream(ConfigBytes, writable: false));
        }

        if (PackageLayers.FirstOrDefault(l => l.Descriptor.Digest == descriptor.Digest) is { } layer)
        {
            return Task.FromResult<Stream>(new FileStream(layer.BlobPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true));
        }

        return _runtime is not null && Layers.Any(l => l.Digest == descriptor.Digest)
            ? _runtime.OpenAsync(descriptor, cancellationToken)
            : throw new ContentNotFoundException(descriptor.Digest, Description);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_tempDirectory, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
