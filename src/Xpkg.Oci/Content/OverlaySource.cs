namespace Xpkg.Oci.Content;

/// <summary>A source with a few extra blobs held in memory (e.g. a rewritten manifest) in front of another source.</summary>
public sealed class OverlaySource(IContentSource inner, IReadOnlyDictionary<Digest, byte[]> extra) : IContentSource, IReferrersSource
{
    public bool ListsReferrers => inner is IReferrersSource { ListsReferrers: true };

    public string Description => inner.Description;

    public Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken)
        => extra.TryGetValue(descriptor.Digest, out var bytes)
            ? Task.FromResult<Stream>(new MemoryStream(bytes, writable: false))
            : inner.OpenAsync(descriptor, cancellationToken);

    public Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, CancellationToken cancellationToken)
        => ((IReferrersSource)inner).ReferrersAsync(subject, cancellationToken);
}
