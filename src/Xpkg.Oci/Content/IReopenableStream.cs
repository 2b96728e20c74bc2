namespace Xpkg.Oci.Content;

/// <summary>
/// A content stream that can start over: the blob is opened again at its source rather than seeked back or
/// buffered. A target that may have to send the same content twice (a push that falls through to the next
/// endpoint after the first read part of it) asks for a fresh stream instead, so memory stays bounded.
/// </summary>
public interface IReopenableStream
{
    /// <summary>
    /// The same content from its first byte, as a new stream the caller disposes. Callable after this stream
    /// was read or disposed.
    /// </summary>
    Task<Stream> ReopenAsync(CancellationToken cancellationToken);
}
