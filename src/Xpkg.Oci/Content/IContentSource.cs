namespace Xpkg.Oci.Content;

/// <summary>
/// One end content can be read from: the cache, a registry repository, an archive, an OCI layout,
/// containerd. The copy engine needs nothing else of a source.
/// </summary>
public interface IContentSource
{
    /// <summary>Where content comes from, for messages and the <c>source</c> recorded with a reference.</summary>
    string Description { get; }

    /// <summary>Opens a blob (or manifest) as a stream. Callers verify; sources need not.</summary>
    Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken);
}

/// <summary>One end content can be written to.</summary>
public interface IContentTarget
{
    string Description { get; }

    /// <summary>How many blobs the target accepts at once (a tar writer takes one at a time).</summary>
    int MaxParallelWrites { get; }

    /// <summary>True when the target already holds the complete, verified blob.</summary>
    Task<bool> ExistsAsync(Descriptor descriptor, CancellationToken cancellationToken);

    /// <summary>
    /// Writes a blob. The target verifies size and digest before it makes the blob visible and leaves
    /// nothing behind when verification fails.
    /// </summary>
    Task WriteAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken);

    /// <summary>Points a name at a root descriptor; called last, after all of its content is written.</summary>
    Task TagAsync(string? reference, Descriptor root, string source, CancellationToken cancellationToken);
}
