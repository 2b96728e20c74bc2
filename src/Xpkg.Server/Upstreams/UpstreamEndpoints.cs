using System.Globalization;
using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// The registry API for upstream repositories (see <see cref="UpstreamRouter"/>): manifests, blobs (with
/// <c>Range</c>) read through <see cref="ServeSource"/>, tags and the catalog through <see cref="UpstreamListings"/>. Blobs the cache holds are served by the
/// cache's own blob endpoint. Writes are refused: an upstream's namespace is read-only here.
/// </summary>
internal sealed class UpstreamEndpoints(ServeSource source, UpstreamListings listings, BlobEndpoints cachedBlobs)
{
    /// <summary>The handler for the request, or null when the method is not allowed on that endpoint.</summary>
    public Task? Handle(HttpContext context, RegistryRoute route, UpstreamName name) => (route.Kind, context.Request.Method) switch
    {
        (RouteKind.Manifest, "GET" or "HEAD") => Guard(context, name, () => ManifestAsync(context, route, name)),
        (RouteKind.Blob, "GET" or "HEAD") => Guard(context, name, () => BlobAsync(context, route, name)),
        (RouteKind.Tags, "GET") => Guard(context, name, () => TagsAsync(context, route, name)),
        (RouteKind.Referrers, "GET") => RegistryError.NameUnknown(route.Name).WriteAsync(context),
        (RouteKind.Manifest or RouteKind.Blob or RouteKind.UploadStart or RouteKind.Upload, _) =>
            RegistryError.Unsupported($"{name} is served from {source.Upstream.Describe(name)}, read-only; push to a name of this registry's own").WriteAsync(context),
        _ => null,
    };

    /// <summary><c>_catalog</c> as <see cref="UpstreamListings"/> lists it; the cache's alone (<paramref name="cached"/>) in mirror mode without a local store.</summary>
    public async Task CatalogAsync(HttpContext context, Func<Task> cached)
    {
        var names = await listings.RepositoriesAsync(context.RequestAborted).ConfigureAwait(false);
        await (names is null ? cached() : ListingEndpoints.WritePageAsync(context, names, "/v2/_catalog", "repositories", null)).ConfigureAwait(false);
    }

    private async Task ManifestAsync(HttpContext context, RegistryRoute route, UpstreamName name)
    {
        if (route.Argument.Contains(':', StringComparison.Ordinal) ? !Digest.TryParse(route.Argument, out _, out _) : !RegistryRoute.IsValidTag(route.Argument))
        {
            await RegistryError.ManifestUnknown(route.Argument).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var manifest = await source.ManifestAsync(name, route.Argument, context.RequestAborted).ConfigureAwait(false);
        if (manifest is null)
        {
            await RegistryError.ManifestUnknown(name + ":" + route.Argument).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var response = context.Response;
        response.ContentType = manifest.Descriptor.MediaType;
        response.ContentLength = manifest.Bytes.Length;
        ResponseHeaders.Set(response, ResponseHeaders.ContentDigest, manifest.Descriptor.Digest.ToString());
        ResponseHeaders.Set(response, "ETag", "\"" + manifest.Descriptor.Digest + "\"");
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            await response.Body.WriteAsync(manifest.Bytes, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task BlobAsync(HttpContext context, RegistryRoute route, UpstreamName name)
    {
        if (!Digest.TryParse(route.Argument, out var digest, out string reason))
        {
            await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var blob = await source.BlobAsync(name, digest, fetch: !HttpMethods.IsHead(context.Request.Method), context.RequestAborted).ConfigureAwait(false);
        if (blob is null)
        {
            await RegistryError.BlobUnknown(digest.ToString()).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (blob.Open is null)
        {
            await cachedBlobs.GetAsync(context, route).ConfigureAwait(false);
            return;
        }

        long total = blob.Descriptor.Size;
        var response = context.Response;
        ResponseHeaders.Set(response, ResponseHeaders.ContentDigest, digest.ToString());
        ResponseHeaders.Set(response, "Accept-Ranges", "bytes");
        ResponseHeaders.Set(response, "ETag", "\"" + digest + "\"");
        response.ContentType = "application/octet-stream";
        if (!ByteRange.TryResolve(context.Request.Headers.Range, total, out var range))
        {
            ResponseHeaders.Set(response, "Content-Range", "bytes */" + total.ToString(CultureInfo.InvariantCulture));
            await new RegistryError(416, "BLOB_UNKNOWN", "requested range not satisfiable", context.Request.Headers.Range).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (range is { } r)
        {
            response.StatusCode = StatusCodes.Status206PartialContent;
            ResponseHeaders.Set(response, "Content-Range", FormattableString.Invariant($"bytes {r.Start}-{r.End}/{total}"));
        }

        long length = range?.Length ?? total;
        response.ContentLength = length;
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        var content = await blob.Open(range?.Start ?? 0, context.RequestAborted).ConfigureAwait(false);
        await using (content.ConfigureAwait(false))
        {
            await response.StartAsync(context.RequestAborted).ConfigureAwait(false);
            await ResponseHeaders.CopyAsync(content, length, response, context.RequestAborted).ConfigureAwait(false);
        }
    }

    private async Task TagsAsync(HttpContext context, RegistryRoute route, UpstreamName name)
    {
        var tags = await listings.TagsAsync(name, context.RequestAborted).ConfigureAwait(false);
        if (tags is null)
        {
            await RegistryError.NameUnknown(route.Name).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        await ListingEndpoints.WritePageAsync(context, tags, "/v2/" + route.Name + "/tags/list", "tags", route.Name).ConfigureAwait(false);
    }

    /// <summary>
    /// An upstream that fails is a bad gateway (502) while nothing was sent; once bytes went out the connection
    /// is cut, so the client sees a broken transfer and never a complete wrong one.
    /// </summary>
    private async Task Guard(HttpContext context, UpstreamName name, Func<Task> handle)
    {
        try
        {
            await handle().ConfigureAwait(false);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested
            && e is XpkgException or IOException or HttpRequestException or OperationCanceledException)
        {
            if (context.Response.HasStarted)
            {
                context.Abort();
                return;
            }

            await new RegistryError(502, "UNKNOWN", $"upstream {source.Upstream.Describe(name)} failed", e.Message).WriteAsync(context).ConfigureAwait(false);
        }
    }
}
