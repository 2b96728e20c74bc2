namespace Xpkg.Server;

/// <summary>Response helpers shared by the endpoints.</summary>
internal static class ResponseHeaders
{
    public const string ContentDigest = "Docker-Content-Digest";
    public const string UploadUuid = "Docker-Upload-UUID";
    private const int CopyBufferSize = 1 << 20;

    public static void Set(HttpResponse response, string name, string value) => response.Headers[name] = value;

    /// <summary>
    /// Sends <paramref name="length"/> bytes of <paramref name="file"/> from <paramref name="offset"/>: each piece
    /// is read straight into the response's output buffer (Kestrel has no sendfile path), so the only copies are
    /// the page cache into that buffer and the buffer into the socket, in large pieces.
    /// </summary>
    /// <remarks>
    /// The reads are synchronous on purpose: on Linux an asynchronous file read is this same read, run on another
    /// pool thread, and the hand-off per megabyte costs more than the read of a warm page. Blobs in the store were
    /// verified when they came in, so they are not hashed again here.
    /// </remarks>
    public static async Task CopyAsync(FileStream file, long offset, long length, HttpResponse response, CancellationToken cancellationToken)
    {
        var handle = file.SafeFileHandle;
        var output = response.BodyWriter;
        long remaining = length;
        while (remaining > 0)
        {
            int want = (int)Math.Min(CopyBufferSize, remaining);
            var memory = output.GetMemory(want);
            int n = RandomAccess.Read(handle, memory.Span[..Math.Min(want, memory.Length)], offset);
            if (n == 0)
            {
                throw new IOException($"file ended {remaining} bytes early");
            }

            output.Advance(n);
            offset += n;
            remaining -= n;
            var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                // The client went away; the dispatcher sees the aborted request.
                return;
            }
        }
    }

    /// <summary>
    /// Copies <paramref name="length"/> bytes of a stream that is not a stored file (an upstream's, read as it arrives)
    /// straight into the response's buffers.
    /// </summary>
    public static async Task CopyAsync(Stream content, long length, HttpResponse response, CancellationToken cancellationToken)
    {
        var output = response.BodyWriter;
        long remaining = length;
        while (remaining > 0)
        {
            var memory = output.GetMemory((int)Math.Min(CopyBufferSize, remaining));
            int n = await content.ReadAsync(memory[..(int)Math.Min(memory.Length, remaining)], cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new IOException($"content ended {remaining} bytes early");
            }

            output.Advance(n);
            remaining -= n;
            var flushed = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flushed.IsCompleted || flushed.IsCanceled)
            {
                return;
            }
        }
    }

    /// <summary>Opens a stored file for serving, or null when it is gone.</summary>
    public static FileStream? OpenShared(string path)
    {
        try
        {
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.SequentialScan | FileOptions.Asynchronous);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }
}
