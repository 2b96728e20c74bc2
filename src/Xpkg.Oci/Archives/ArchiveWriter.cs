using System.Formats.Tar;
using System.Text.Json;
using Xpkg.Oci.Content;

namespace Xpkg.Oci.Archives;

public enum ArchiveFormat
{
    /// <summary>A tar of an OCI image layout.</summary>
    Oci,

    /// <summary>Docker's current docker-save shape: an OCI layout plus <c>manifest.json</c>, loadable by docker, podman and ctr.</summary>
    Docker,

    /// <summary>
    /// go-containerregistry's docker-save shape, the one Crossplane <c>.xpkg</c> files have: config <c>sha256:&lt;hex&gt;</c>,
    /// layers <c>&lt;hex&gt;.tar.gz</c>, <c>manifest.json</c>; no OCI index. Single-platform images only.
    /// </summary>
    Xpkg,
}

/// <summary>
/// Writes an oci-archive or docker-save tarball as a copy target. The tar is written to a temporary file
/// beside the destination and renamed over it only by <see cref="CompleteAsync"/>, so a failed save leaves
/// nothing behind. Entries are deterministic: mtime 0, uid/gid 0, mode 0644.
/// </summary>
public sealed class ArchiveWriter : IContentTarget, IAsyncDisposable
{
    private readonly string _path;
    private readonly string _temp;
    private readonly ArchiveFormat _format;
    private readonly FileStream _file;
    private readonly TarWriter _tar;
    private readonly HashSet<Digest> _written = [];
    private readonly Dictionary<Digest, byte[]> _manifests = [];
    private readonly List<(string? Reference, Descriptor Root)> _images = [];
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _completed;

    public ArchiveWriter(string path, ArchiveFormat format)
    {
        _path = Path.GetFullPath(path);
        _format = format;
        _temp = _path + ".tmp-" + Guid.NewGuid().ToString("N");
        _file = new FileStream(_temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        _tar = new TarWriter(_file, TarEntryFormat.Ustar, leaveOpen: true);
        if (format != ArchiveFormat.Xpkg)
        {
            WriteEntry("oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}"u8.ToArray());
        }
    }

    public string Description => _path;

    public int MaxParallelWrites => 1;

    public Task<bool> ExistsAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => Task.FromResult(_written.Contains(descriptor.Digest));

    public async Task WriteAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_written.Contains(descriptor.Digest))
            {
                return;
            }

            var verifying = new VerifyingStream(content, descriptor.Digest, descriptor.Size, leaveOpen: true);
            await using (verifying.ConfigureAwait(false))
            {
                if (MediaTypes.IsManifest(descriptor.MediaType))
                {
                    // Kept to write manifest.json later; manifests are small and bounded.
                    byte[] bytes = new byte[descriptor.Size];
                    await verifying.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
                    _ = await verifying.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
                    _manifests[descriptor.Digest] = bytes;
                    if (_format != ArchiveFormat.Xpkg)
                    {
                        WriteEntry(ImageArchive.BlobName(descriptor.Digest), bytes);
                    }
                }
                else
                {
                    var entry = NewEntry(EntryName(descriptor));
                    entry.DataStream = verifying;
                    await _tar.WriteEntryAsync(entry, cancellationToken).ConfigureAwait(false);
                }
            }

            _written.Add(descriptor.Digest);
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task TagAsync(string? reference, Descriptor root, string source, CancellationToken cancellationToken)
    {
        _images.Add((reference, root));
        return Task.CompletedTask;
    }

    /// <summary>Writes the index (and manifest.json) and moves the archive into place.</summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_format == ArchiveFormat.Xpkg)
        {
            WriteEntry("manifest.json", JsonSerializer.SerializeToUtf8Bytes(DockerManifestJson(), OciJsonContext.Relaxed.ListDockerArchiveManifestEntry));
            await FinishAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        var index = new OciIndexDocument();
        foreach (var (reference, root) in _images)
        {
            var annotations = new Dictionary<string, string>(StringComparer.Ordinal);
            if (reference is not null)
            {
                annotations[ImageArchive.ImageNameAnnotation] = reference;
                var parsed = ImageReference.Parse(reference);
                annotations[ImageArchive.RefNameAnnotation] = parsed.Tag ?? parsed.Digest?.ToString() ?? reference;
            }

            index.Manifests.Add(root with { Annotations = annotations.Count > 0 ? annotations : null });
        }

        WriteEntry("index.json", JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Relaxed.OciIndexDocument));
        if (_format == ArchiveFormat.Docker)
        {
            WriteEntry("manifest.json", JsonSerializer.SerializeToUtf8Bytes(DockerManifestJson(), OciJsonContext.Relaxed.ListDockerArchiveManifestEntry));
        }

        await FinishAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        await _tar.DisposeAsync().ConfigureAwait(false);
        await _file.FlushAsync(cancellationToken).ConfigureAwait(false);
        _file.Flush(flushToDisk: true);
        await _file.DisposeAsync().ConfigureAwait(false);
        File.Move(_temp, _path, overwrite: true);
        _completed = true;
    }

    private List<DockerArchiveManifestEntry> DockerManifestJson()
    {
        var entries = new List<DockerArchiveManifestEntry>();
        foreach (var group in _images.GroupBy(i => i.Root.Digest))
        {
            var manifest = SingleImage(group.First().Root);
            if (manifest.Config is null)
            {
                continue;
            }

            entries.Add(new DockerArchiveManifestEntry
            {
                Config = _format == ArchiveFormat.Xpkg ? manifest.Config.Digest.ToString() : ImageArchive.BlobName(manifest.Config.Digest),
                RepoTags = TaggedNames(group.Select(i => i.Reference)),
                Layers = manifest.Layers.Select(EntryName).ToList(),
            });
        }

        return entries;
    }

    /// <summary>The tar entry of a config or layer blob in this archive's shape.</summary>
    private string EntryName(Descriptor blob)
    {
        if (_format != ArchiveFormat.Xpkg)
        {
            return ImageArchive.BlobName(blob.Digest);
        }

        if (blob.MediaType is MediaTypes.DockerConfig or MediaTypes.OciConfig)
        {
            return blob.Digest.ToString();
        }

        return blob.Digest.Encoded + (MediaTypes.LayerCompression(blob.MediaType) == Compression.Gzip ? ".tar.gz" : ".tar");
    }

    private static List<string>? TaggedNames(IEnumerable<string?> references)
    {
        var tags = references.Where(r => r is not null).Select(r => ImageReference.Parse(r!))
            .Where(r => r.Tag is not null).Select(r => $"{r.Name}:{r.Tag}").Distinct().ToList();
        return tags.Count > 0 ? tags : null;
    }

    /// <summary>docker-save describes single-platform images; an index contributes its default-platform image.</summary>
    private ParsedManifest SingleImage(Descriptor root)
    {
        var parsed = ParsedManifest.Parse(_manifests[root.Digest], root.MediaType);
        if (!parsed.IsIndex)
        {
            return parsed;
        }

        var child = parsed.Manifests.FirstOrDefault(m => Platform.Default.Matches(m.Platform) && _manifests.ContainsKey(m.Digest))
            ?? parsed.Manifests.FirstOrDefault(m => _manifests.ContainsKey(m.Digest))
            ?? throw new InvalidInputException($"index {root.Digest} has none of its manifests in the archive");
        return SingleImage(child);
    }

    private void WriteEntry(string name, byte[] content)
    {
        var entry = NewEntry(name);
        entry.DataStream = new MemoryStream(content, writable: false);
        _tar.WriteEntry(entry);
    }

    private static UstarTarEntry NewEntry(string name) => new(TarEntryType.RegularFile, name)
    {
        ModificationTime = DateTimeOffset.UnixEpoch,
        Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
        Uid = 0,
        Gid = 0,
    };

    public async ValueTask DisposeAsync()
    {
        if (!_completed)
        {
            await _tar.DisposeAsync().ConfigureAwait(false);
            await _file.DisposeAsync().ConfigureAwait(false);
            File.Delete(_temp);
        }

        _gate.Dispose();
    }
}
