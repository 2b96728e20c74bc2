using System.Text.Json;
using Xpkg.Oci.Content;

namespace Xpkg.Oci.Archives;

/// <summary>
/// Reads a docker-save tarball (legacy, Docker 25+ or go-containerregistry shape), an oci-archive tarball or
/// an OCI layout directory as a content source. Blobs are read in place, never extracted.
/// </summary>
public sealed class ImageArchive : IContentSource, IDisposable
{
    public const string ImageNameAnnotation = "io.containerd.image.name";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly IArchiveFiles _files;
    private readonly Dictionary<Digest, string> _blobNames = [];
    private readonly Dictionary<Digest, byte[]> _generated = [];
    private readonly List<ArchiveImage> _images = [];
    private readonly List<string> _notes = [];

    private string? _scratch;

    private ImageArchive(IArchiveFiles files, string format)
    {
        _files = files;
        Format = format;
    }

    /// <summary><c>oci-layout</c>, <c>oci-archive</c> or <c>docker-archive</c>.</summary>
    public string Format { get; }

    public IReadOnlyList<ArchiveImage> Images => _images;

    /// <summary>What a user should know about how the archive was read (e.g. a synthesised manifest).</summary>
    public IReadOnlyList<string> Notes => _notes;

    public string Description => _files.Location;

    /// <summary>
    /// Opens an archive or layout. A gzip- or zstd-compressed tarball is decompressed into
    /// <paramref name="scratchDirectory"/> first (bounded like a layer), or refused when none is given.
    /// </summary>
    public static ImageArchive Open(string path, string? scratchDirectory = null)
    {
        if (Directory.Exists(path))
        {
            var dir = new LayoutDirectory(path);
            var archive = new ImageArchive(dir, "oci-layout");
            archive.ReadOciLayout();
            return archive;
        }

        if (!File.Exists(path))
        {
            throw new InvalidInputException($"{path}: no such file or directory");
        }

        string? scratch = Decompress(path, scratchDirectory);
        TarIndex index;
        try
        {
            index = TarIndex.Build(scratch ?? path, path);
        }
        catch
        {
            DeleteScratch(scratch);
            throw;
        }

        bool hasIndex = index.Exists("index.json");
        var result = new ImageArchive(index, hasIndex ? "oci-archive" : "docker-archive") { _scratch = scratch };
        if (hasIndex)
        {
            result.ReadOciLayout();
        }
        else if (index.Exists("manifest.json"))
        {
            DockerSaveReader.Read(index, result);
        }
        else
        {
            throw new InvalidInputException($"{path}: neither an OCI layout (index.json) nor a docker-save archive (manifest.json)",
                "xpkg load takes docker-save tarballs (.xpkg files are one), oci-archive tarballs and OCI layout directories");
        }

        return result;
    }

    public Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (_generated.TryGetValue(descriptor.Digest, out var bytes))
        {
            return Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
        }

        string name = _blobNames.TryGetValue(descriptor.Digest, out var n) ? n : BlobName(descriptor.Digest);
        if (!_files.Exists(name))
        {
            // Content an archive promises but lacks is bad input, not a transient failure.
            throw new ContentNotFoundException(descriptor.Digest, _files.Location, ExitCodes.BadInput);
        }

        return Task.FromResult(_files.Open(name));
    }

    internal static string BlobName(Digest digest) => $"blobs/{digest.Algorithm}/{digest.Encoded}";

    internal void AddBlob(Digest digest, string name) => _blobNames[digest] = name;

    internal void AddGenerated(Digest digest, byte[] content) => _generated[digest] = content;

    internal void AddImage(ArchiveImage image) => _images.Add(image);

    internal void AddNote(string note) => _notes.Add(note);

    private void ReadOciLayout()
    {
        if (!_files.Exists("oci-layout"))
        {
            throw new InvalidInputException($"{_files.Location}: missing \"oci-layout\"; not an OCI image layout");
        }

        OciIndexDocument? index;
        try
        {
            index = JsonSerializer.Deserialize(_files.ReadSmall("index.json"), OciJsonContext.Default.OciIndexDocument);
        }
        catch (JsonException e)
        {
            throw new InvalidInputException($"{_files.Location}: index.json is not valid: {e.Message}");
        }

        foreach (var d in index?.Manifests ?? [])
        {
            var names = new List<string>();
            if (d.Annotation(ImageNameAnnotation) is { } full)
            {
                names.Add(full);
            }
            else if (d.Annotation(RefNameAnnotation) is { } refName)
            {
                names.Add(refName);
            }

            _images.Add(new ArchiveImage(d with { Annotations = null }, names));
        }

        if (_images.Count == 0)
        {
            throw new InvalidInputException($"{_files.Location}: index.json lists no images");
        }
    }

    public void Dispose()
    {
        DeleteScratch(_scratch);
        _scratch = null;
    }

    private static void DeleteScratch(string? scratch)
    {
        if (scratch is not null)
        {
            File.Delete(scratch);
        }
    }

    private static string? Decompress(string path, string? scratchDirectory)
    {
        Span<byte> magic = stackalloc byte[4];
        long length;
        using (var s = File.OpenRead(path))
        {
            length = s.Length;
            magic = magic[..s.ReadAtLeast(magic, 4, throwOnEndOfStream: false)];
        }

        var compression = LayerDigests.DetectCompression(magic);
        if (compression == Compression.None)
        {
            return null;
        }

        string name = compression == Compression.Gzip ? "gzip" : "zstd";
        if (scratchDirectory is null)
        {
            throw new InvalidInputException($"{path}: is {name}-compressed", "decompress it first");
        }

        Directory.CreateDirectory(scratchDirectory);
        string scratch = Path.Combine(scratchDirectory, Guid.NewGuid().ToString("N") + ".scratch");
        try
        {
            using var input = LayerDigests.Decompress(File.OpenRead(path), compression);
            using var output = new FileStream(scratch, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
            LayerDigests.CopyBounded(input, output, LayerDigests.ExpansionAllowance + (length * LayerDigests.MaxExpansionRatio), path);
            return scratch;
        }
        catch
        {
            File.Delete(scratch);
            throw;
        }
    }
}
