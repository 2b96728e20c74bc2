using System.Formats.Tar;
using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages.Locating;

/// <summary>
/// Finds <c>package.yaml</c> in a package image: the layer annotated <c>io.crossplane.xpkg: base</c>; else the
/// layer a config label <c>io.crossplane.xpkg:&lt;layer digest&gt;</c> calls <c>base</c>; else the flattened
/// filesystem of all layers. Entries match by base name, as Crossplane's package manager matches them.
/// Like Crossplane up to v2.1, images with more than 256 layers or several base layers are rejected.
/// </summary>
public sealed class PackageLocator
{
    public const int MaxLayers = 256;

    private readonly IContentSource _source;

    public PackageLocator(IContentSource source)
    {
        _source = source;
    }

    /// <summary>
    /// Opens <c>package.yaml</c> of the image whose manifest (or index) is <paramref name="manifest"/>.
    /// Throws <see cref="PackageNotFoundException"/> when the image is not a package.
    /// </summary>
    public async Task<PackageStream> OpenAsync(Descriptor root, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken)
    {
        if (Digest.Compute(manifest.Span, root.Digest.Algorithm) != root.Digest)
        {
            throw new DigestMismatchException($"manifest bytes do not match {root.Digest}");
        }

        var parsed = ParsedManifest.Parse(manifest.Span, root.MediaType);
        if (parsed.IsIndex)
        {
            root = SelectManifest(parsed, root);
            parsed = ParsedManifest.Parse(await ReadManifestAsync(root, cancellationToken).ConfigureAwait(false), root.MediaType);
            if (parsed.IsIndex)
            {
                throw new InvalidInputException($"index {root.Digest} points at another index; a package image is expected");
            }
        }

        if (parsed.Layers.Count > MaxLayers)
        {
            throw new InvalidInputException($"package image {root.Digest} has {parsed.Layers.Count} layers, more than the {MaxLayers} Crossplane accepts");
        }

        var annotated = parsed.Layers.Where(l => l.Annotation(PackageNames.AnnotationKey) == PackageNames.PackageAnnotation).ToList();
        if (annotated.Count == 0 && parsed.Config is not null)
        {
            var labels = await ImageConfigLabels.ReadAsync(_source, parsed.Config, cancellationToken).ConfigureAwait(false);
            var labelled = parsed.Layers.Where(l => labels.TryGetValue(PackageNames.AnnotationKey + ":" + l.Digest, out var v) && v == PackageNames.PackageAnnotation).ToList();
            var notes = new List<string> { $"no layer is annotated {PackageNames.AnnotationKey}: {PackageNames.PackageAnnotation}" };
            if (labelled.Count == 0)
            {
                notes.AddRange(UnmatchedLabels(labels, parsed));
            }

            return await OpenBaseLayerAsync(labelled, BaseLayerSource.ConfigLabel, root, parsed, notes, cancellationToken).ConfigureAwait(false);
        }

        return await OpenBaseLayerAsync(annotated, BaseLayerSource.Annotation, root, parsed, [], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens and parses the package in one step.</summary>
    public async Task<(ParsedPackage Package, PackageLocation Location)> ParseAsync(Descriptor root, ReadOnlyMemory<byte> manifest, CancellationToken cancellationToken)
    {
        await using var stream = await OpenAsync(root, manifest, cancellationToken).ConfigureAwait(false);
        string name = $"{stream.Location.EntryName} in layer {stream.Location.Layer.Digest}";
        var package = await PackageParser.ParseAsync(stream, name, cancellationToken).ConfigureAwait(false);
        return (package, stream.Location);
    }

    // Labels that name no layer of this image: the layers were recompressed (e.g. by skopeo) after the build.
    private static IEnumerable<string> UnmatchedLabels(IReadOnlyDictionary<string, string> labels, ParsedManifest manifest)
    {
        string prefix = PackageNames.AnnotationKey + ":";
        var layers = manifest.Layers.Select(l => l.Digest.ToString()).ToHashSet(StringComparer.Ordinal);
        var stale = labels.Where(l => l.Key.StartsWith(prefix, StringComparison.Ordinal) && l.Value == PackageNames.PackageAnnotation && !layers.Contains(l.Key[prefix.Length..])).ToList();
        return stale.Count == 0
            ? [$"no config label {prefix}<layer digest> says {PackageNames.PackageAnnotation}"]
            : stale.Select(l => $"config label {l.Key}={l.Value} names no layer of this image (were the layers recompressed?)");
    }

    private async Task<PackageStream> OpenBaseLayerAsync(List<Descriptor> candidates, BaseLayerSource how, Descriptor root, ParsedManifest manifest, IReadOnlyList<string> notes, CancellationToken cancellationToken)
    {
        if (candidates.Count > 1)
        {
            throw new InvalidInputException("package is invalid due to multiple annotated base layers",
                $"only one layer of {root.Digest} may be marked {PackageNames.AnnotationKey}: {PackageNames.PackageAnnotation}");
        }

        if (candidates.Count == 0)
        {
            return await OpenFlattenedAsync(root, manifest, notes, cancellationToken).ConfigureAwait(false);
        }

        var layer = candidates[0];
        var streams = await LayerStreams.OpenAsync(_source, layer, cancellationToken).ConfigureAwait(false);
        try
        {
            var tar = new TarReader(streams.Uncompressed, leaveOpen: true);
            while (await NextEntryAsync(tar, layer, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (IsPackageFile(entry))
                {
                    return Open(entry, streams, new PackageLocation(how, layer, entry.Name, root) { Notes = notes });
                }
            }

            await streams.VerifyRestAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await streams.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        await streams.DisposeAsync().ConfigureAwait(false);
        throw NotFound(root, $"base layer {layer.Digest}");
    }

    private async Task<PackageStream> OpenFlattenedAsync(Descriptor root, ParsedManifest manifest, IReadOnlyList<string> notes, CancellationToken cancellationToken)
    {
        var fs = new FlattenedFileSystem();
        for (int i = manifest.Layers.Count - 1; i >= 0; i--)
        {
            var layer = manifest.Layers[i];
            var streams = await LayerStreams.OpenAsync(_source, layer, cancellationToken).ConfigureAwait(false);
            try
            {
                var tar = new TarReader(streams.Uncompressed, leaveOpen: true);
                while (await NextEntryAsync(tar, layer, cancellationToken).ConfigureAwait(false) is { } entry)
                {
                    bool visible = fs.Add(entry.Name, entry.EntryType == TarEntryType.Directory);
                    if (visible && IsPackageFile(entry))
                    {
                        return Open(entry, streams, new PackageLocation(BaseLayerSource.Flattened, layer, entry.Name, root) { Notes = notes });
                    }
                }

                await streams.VerifyRestAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                await streams.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await streams.DisposeAsync().ConfigureAwait(false);
            fs.NextLayer();
        }

        throw NotFound(root, manifest.Layers.Count == 0 ? "an image without layers" : "the flattened filesystem of its layers");
    }

    private static PackageStream Open(TarEntry entry, LayerStreams streams, PackageLocation location)
    {
        if (entry.Length > PackageParser.MaxStreamBytes)
        {
            throw new InvalidInputException(
                $"{entry.Name} in layer {location.Layer.Digest} is {entry.Length} bytes, larger than the {PackageParser.MaxStreamBytes >> 20} MiB limit");
        }

        return new PackageStream(entry.DataStream ?? Stream.Null, streams, location);
    }

    private static bool IsPackageFile(TarEntry entry)
        => entry.EntryType is TarEntryType.RegularFile or TarEntryType.V7RegularFile
            && Path.GetFileName(FlattenedFileSystem.CleanPath(entry.Name)) == PackageNames.StreamFile;

    private static async Task<TarEntry?> NextEntryAsync(TarReader tar, Descriptor layer, CancellationToken cancellationToken)
    {
        try
        {
            return await tar.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException)
        {
            throw new InvalidInputException($"layer {layer.Digest} is not a valid (compressed) tar archive: {e.Message}", inner: e);
        }
    }

    private static PackageNotFoundException NotFound(Descriptor root, string where)
        => new($"package.yaml not found in package: searched {where} of {root.Digest}",
            "a Crossplane package has package.yaml at the root of its base layer; build one with `xpkg build`");

    private static Descriptor SelectManifest(ParsedManifest index, Descriptor root)
    {
        var manifests = index.Manifests.Where(m => MediaTypes.IsImageManifest(m.MediaType) || MediaTypes.IsIndex(m.MediaType)).ToList();
        if (manifests.Count == 1)
        {
            return manifests[0];
        }

        return manifests.FirstOrDefault(m => Platform.Default.Matches(m.Platform))
            ?? throw new InvalidInputException(
                $"index {root.Digest} has {manifests.Count} manifests and none for {Platform.Default}",
                "Crossplane installs the linux/amd64 manifest of a multi-platform package");
    }

    private async Task<byte[]> ReadManifestAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (descriptor.Size > ParsedManifest.MaxBytes)
        {
            throw new InvalidInputException($"manifest {descriptor.Digest} is {descriptor.Size} bytes, over the {ParsedManifest.MaxBytes} byte limit");
        }

        byte[] bytes = new byte[descriptor.Size];
        await using var raw = await _source.OpenAsync(descriptor, cancellationToken).ConfigureAwait(false);
        await using var verified = new VerifyingStream(raw, descriptor.Digest, descriptor.Size, leaveOpen: true);
        await verified.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
        await verified.CopyToAsync(Stream.Null, cancellationToken).ConfigureAwait(false);
        return bytes;
    }
}
