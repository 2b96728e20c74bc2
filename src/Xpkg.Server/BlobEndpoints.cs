using System.Globalization;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>end-2 (GET/HEAD a blob, with Range) and end-10 (DELETE a blob).</summary>
internal sealed class BlobEndpoints(ContentStore store, RepositoryMap repositories, ManifestInfoCache manifests)
{
    public async Task GetAsync(HttpContext context, RegistryRoute route)
    {
        if (!Digest.TryParse(route.Argument, out var digest, out string reason))
        {
            await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var file = ResponseHeaders.OpenShared(store.BlobPath(digest));
        if (file is null)
        {
            await RegistryError.BlobUnknown(digest.ToString()).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        await using (file.ConfigureAwait(false))
        {
            long total = file.Length;
            var response = context.Response;
            ResponseHeaders.Set(response, ResponseHeaders.ContentDigest, digest.ToString());
            ResponseHeaders.Set(response, "Accept-Ranges", "bytes");
            ResponseHeaders.Set(response, "ETag", "\"" + digest + "\"");
            ResponseHeaders.Set(response, "Cache-Control", "max-age=31536000");
            response.ContentType = "application/octet-stream";

            if (!ByteRange.TryResolve(context.Request.Headers.Range, total, out var range))
            {
                ResponseHeaders.Set(response, "Content-Range", "bytes */" + total.ToString(CultureInfo.InvariantCulture));
                await new RegistryError(416, "BLOB_UNKNOWN", "requested range not satisfiable", context.Request.Headers.Range).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            long start = range?.Start ?? 0;
            long length = range?.Length ?? total;
            if (range is { } r)
            {
                response.StatusCode = StatusCodes.Status206PartialContent;
                ResponseHeaders.Set(response, "Content-Range", FormattableString.Invariant($"bytes {r.Start}-{r.End}/{total}"));
            }

            response.ContentLength = length;
            if (HttpMethods.IsHead(context.Request.Method))
            {
                return;
            }

            await ResponseHeaders.CopyAsync(file, start, length, response, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Deletes a blob from the cache. The cache is one pool shared by every repository and by the CLI, so a
    /// blob that a cached image still uses is refused (405) rather than breaking that image.
    /// </summary>
    public async Task DeleteAsync(HttpContext context, RegistryRoute route)
    {
        if (!Digest.TryParse(route.Argument, out var digest, out string reason))
        {
            await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        string path = store.BlobPath(digest);
        if (!File.Exists(path))
        {
            await RegistryError.BlobUnknown(digest.ToString()).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var all = await repositories.AllAsync(context.RequestAborted).ConfigureAwait(false);
        var user = await manifests.FindUserAsync(all.Select(e => e.Entry.Stored), digest, context.RequestAborted).ConfigureAwait(false);
        if (user is not null)
        {
            await RegistryError.Unsupported($"blob is still used by {user.DisplayName}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        File.Delete(path);
        manifests.Forget(digest);
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }
}
