using Xpkg.Server.Upstreams;

namespace Xpkg.Server;

/// <summary>Routes a <c>/v2/…</c> request to its endpoint after the name and access checks.</summary>
internal sealed class RegistryDispatcher(
    AccessPolicy access,
    BlobEndpoints blobs,
    ManifestEndpoints manifests,
    UploadEndpoints uploads,
    ListingEndpoints listings,
    ReferrersEndpoint referrers,
    TextWriter errors,
    (UpstreamRouter Router, UpstreamEndpoints Endpoints)? upstreams = null)
{
    public async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["Docker-Distribution-API-Version"] = "registry/2.0";
        var route = RegistryRoute.Parse(context.Request.Path.Value ?? "");
        if (route is null)
        {
            await new RegistryError(404, "NOT_FOUND", "not a registry endpoint").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var upstream = upstreams?.Router.Route(context.Request, route);
        if (upstream is { Name: null } || (upstream is null && route.Name.Length > 0 && !RegistryRoute.IsValidName(route.Name)))
        {
            await RegistryError.NameInvalid(route.Name).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (access.Check(context, route) is { } refused)
        {
            await refused.WriteAsync(context).ConfigureAwait(false);
            return;
        }

        string method = context.Request.Method;
        Task? handled = upstream is { Name: { } name } ? upstreams!.Value.Endpoints.Handle(context, route, name) : (route.Kind, method) switch
        {
            (RouteKind.Base, "GET" or "HEAD") => Empty(context),
            (RouteKind.Catalog, "GET") => upstreams is { } u ? u.Endpoints.CatalogAsync(context, () => listings.CatalogAsync(context)) : listings.CatalogAsync(context),
            (RouteKind.Tags, "GET") => listings.TagsAsync(context, route),
            (RouteKind.Blob, "GET" or "HEAD") => blobs.GetAsync(context, route),
            (RouteKind.Blob, "DELETE") => blobs.DeleteAsync(context, route),
            (RouteKind.Manifest, "GET" or "HEAD") => manifests.GetAsync(context, route),
            (RouteKind.Manifest, "PUT") => manifests.PutAsync(context, route),
            (RouteKind.Manifest, "DELETE") => manifests.DeleteAsync(context, route),
            (RouteKind.Referrers, "GET") => referrers.GetAsync(context, route),
            (RouteKind.UploadStart, "POST") => uploads.PostAsync(context, route),
            (RouteKind.Upload, "PATCH") => uploads.PatchAsync(context, route),
            (RouteKind.Upload, "PUT") => uploads.PutAsync(context, route),
            (RouteKind.Upload, "GET") => uploads.StatusAsync(context, route),
            (RouteKind.Upload, "DELETE") => uploads.CancelAsync(context, route),
            _ => null,
        };
        if (handled is null)
        {
            await new RegistryError(405, "UNSUPPORTED", "the operation is unsupported", method + " " + context.Request.Path)
                .WriteAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            await handled.ConfigureAwait(false);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away mid-request; whatever it was writing has been discarded.
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or Xpkg.Oci.XpkgException or Microsoft.AspNetCore.Http.BadHttpRequestException)
        {
            await FailAsync(context, e).ConfigureAwait(false);
        }
    }

    /// <summary>A failure of ours (disk, permissions, a lock held too long) or a broken request: one log line, one error body.</summary>
    private async Task FailAsync(HttpContext context, Exception e)
    {
        bool clientFault = e is Microsoft.AspNetCore.Http.BadHttpRequestException;
        lock (errors)
        {
            errors.WriteLine($"error: {context.Request.Method} {context.Request.Path}: {e.Message}");
            errors.Flush();
        }

        if (!context.Response.HasStarted)
        {
            context.Response.Headers.Remove("Location");
            context.Response.Headers.Remove("Range");
            await new RegistryError(clientFault ? 400 : 500, clientFault ? "BLOB_UPLOAD_INVALID" : "UNKNOWN", clientFault ? "bad request" : "unknown error", e.Message)
                .WriteAsync(context).ConfigureAwait(false);
        }
    }

    private static Task Empty(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = 2;
        return HttpMethods.IsHead(context.Request.Method) ? Task.CompletedTask : context.Response.WriteAsync("{}", context.RequestAborted);
    }
}
