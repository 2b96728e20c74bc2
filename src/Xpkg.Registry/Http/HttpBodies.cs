using Xpkg.Oci;

namespace Xpkg.Registry.Http;

/// <summary>Reads small response bodies (manifests, JSON) with a hard cap: sizes from the wire are never trusted.</summary>
internal static class HttpBodies
{
    public static async Task<byte[]> ReadBoundedAsync(HttpContent content, int maxBytes, string what, CancellationToken cancellationToken)
    {
        long? declared = content.Headers.ContentLength;
        if (declared > maxBytes)
        {
            throw new XpkgException($"{what} is {declared} bytes, over the {maxBytes} byte limit");
        }

        await using var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using var buffer = new MemoryStream(declared is > 0 ? (int)declared.Value : 4096);
        byte[] chunk = new byte[64 * 1024];
        int n;
        while ((n = await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > maxBytes)
            {
                throw new XpkgException($"{what} is over the {maxBytes} byte limit");
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }
}
