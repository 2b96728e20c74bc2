using Xpkg.Oci;
using Xpkg.Oci.Content;

namespace Xpkg.Packages.Tests;

/// <summary>Blobs by digest, in memory; <see cref="Corrupt"/> flips a byte of one blob when it is served.</summary>
internal sealed class InMemoryContentSource : IContentSource
{
    private readonly Dictionary<Digest, byte[]> _blobs = [];

    public string Description => "memory";

    public Digest? Corrupt { get; set; }

    public List<Digest> Opened { get; } = [];

    public Descriptor Add(byte[] content, string mediaType)
    {
        var d = Descriptor.For(mediaType, content);
        _blobs[d.Digest] = content;
        return d;
    }

    public Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        Opened.Add(descriptor.Digest);
        byte[] bytes = _blobs.TryGetValue(descriptor.Digest, out var b) ? b : throw new FileNotFoundException(descriptor.Digest.ToString());
        if (Corrupt == descriptor.Digest)
        {
            bytes = (byte[])bytes.Clone();
            bytes[^1] ^= 0xff;
        }

        return Task.FromResult<Stream>(new MemoryStream(bytes, writable: false));
    }
}
