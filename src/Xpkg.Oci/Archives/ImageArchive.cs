using System.Text.Json;
using Xpkg.Oci.Content;

namespace Xpkg.Oci.Archives;

/// <summary>
/// Reads a docker-save tarball (legacy, Docker 25+ or go-containerregistry shape), an oci-archive tarball or
/// an OCI layout directory as a content source. Blobs are read in place, never extracted.
/// </summary>
public sealed class ImageArchive : IContentSource
{
    public const string ImageNameAnnotation = "io.containerd.image.name";
    public const string RefNameAnnotation = "org.opencontainers.image.ref.name";

    private readonly IArchiveFiles _files;
    private readonly Dictionary<Digest, string> _blobNames = [];
    private readonly Dictionary<Digest, byte[]> _generated = [];
    private readonly List<ArchiveImage> _images = [];
    private readonly List<string> _notes = [];

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

    public static ImageArchive Open(string path)
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

        RejectCompressed(path);
        var index = TarIndex.Build(path);
        bool hasIndex = index.Exists("index.json");
        var result = new ImageArchive(index, hasIndex ? "oci-archive" : "docker-archive");
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

    private static void RejectCompressed(string path)
    {
        Span<byte> magic = stackalloc byte[4];
        using var s = File.OpenRead(path);
        int n = s.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        if (n >= 2 && magic[0] == 0x1f && magic[1] == 0x8b)
        {
            throw new InvalidInputException($"{path}: is gzip-compressed", $"decompress it first: gunzip -c {path} > image.tar");
        }

        if (n >= 4 && magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        {
            throw new InvalidInputException($"{path}: is zstd-compressed", $"decompress it first: zstd -d {path} -o image.tar");
        }
    }
}
