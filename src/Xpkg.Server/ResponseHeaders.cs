using System.Buffers;

namespace Xpkg.Server;

/// <summary>Response helpers shared by the endpoints.</summary>
internal static class ResponseHeaders
{
    public const string ContentDigest = "Docker-Content-Digest";
    public const string UploadUuid = "Docker-Upload-UUID";
    private const int CopyBufferSize = 1 << 20;

    public static void Set(HttpResponse response, string name, string value) => response.Headers[name] = value;

    /// <summary>
    /// Copies <paramref name="length"/> bytes from <paramref name="file"/> to the response with a large buffer:
    /// Kestrel has no sendfile path, and fewer, larger writes are what makes it fast.
    /// </summary>
    public static async Task CopyAsync(Stream file, long length, HttpResponse response, CancellationToken cancellationToken)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(CopyBufferSize, Math.Max(length, 1)));
        try
        {
            long remaining = length;
            while (remaining > 0)
            {
                int n = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    throw new IOException($"file ended {remaining} bytes early");
                }

                await response.Body.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                remaining -= n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
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
