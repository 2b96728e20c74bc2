using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Features;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>
/// Blob uploads: end-4a/4b (POST, single-request or session), end-11 (mount), end-5 (PATCH, chunked or
/// streamed), end-6 (PUT to finish), end-13 (status) and cancel (DELETE). Every finished upload is checked
/// against its digest before it enters the store.
/// </summary>
internal sealed partial class UploadEndpoints(ContentStore store, UploadSessions sessions)
{
    private const string BlobMediaType = "application/octet-stream";

    public async Task PostAsync(HttpContext context, RegistryRoute route)
    {
        var query = context.Request.Query;
        string? mount = query["mount"];
        if (mount is not null && Digest.TryParse(mount, out var mountDigest) && File.Exists(store.BlobPath(mountDigest)))
        {
            // Blobs are one pool, so every blob can be mounted, with or without "from" (automatic mount).
            BlobCreated(context, route.Name, mountDigest);
            return;
        }

        string? single = query["digest"];
        if (single is not null)
        {
            if (!Digest.TryParse(single, out var digest, out string reason))
            {
                await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            var oneShot = sessions.TryStart(route.Name);
            if (oneShot is null)
            {
                await TooManyUploadsAsync(context).ConfigureAwait(false);
                return;
            }

            RegistryError? failed;
            try
            {
                failed = await AppendAsync(context, oneShot).ConfigureAwait(false)
                    ?? await CommitAsync(context, oneShot, digest).ConfigureAwait(false);
            }
            finally
            {
                // Ended before answering, so a client that sees the answer sees the upload gone.
                await sessions.EndAsync(oneShot).ConfigureAwait(false);
            }

            await AnswerAsync(context, failed, () => BlobCreated(context, route.Name, digest)).ConfigureAwait(false);
            return;
        }

        var session = sessions.TryStart(route.Name);
        if (session is null)
        {
            await TooManyUploadsAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status202Accepted;
        UploadHeaders(context, session);
    }

    public Task PatchAsync(HttpContext context, RegistryRoute route)
        => WithSessionAsync(context, route, async session =>
        {
            var failed = await AppendAsync(context, session).ConfigureAwait(false);
            await AnswerAsync(context, failed, () =>
            {
                context.Response.StatusCode = StatusCodes.Status202Accepted;
                UploadHeaders(context, session);
            }).ConfigureAwait(false);
        });

    public Task PutAsync(HttpContext context, RegistryRoute route)
        => WithSessionAsync(context, route, async session =>
        {
            if (!Digest.TryParse(context.Request.Query["digest"], out var digest, out string reason))
            {
                await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            // The last chunk may ride on the PUT; an empty body appends nothing.
            if (await AppendAsync(context, session).ConfigureAwait(false) is { } appendFailed)
            {
                await appendFailed.WriteAsync(context).ConfigureAwait(false);
                return;
            }

            // A digest that does not match ends the upload too: its content is of no use to anyone.
            var failed = await CommitAsync(context, session, digest).ConfigureAwait(false);
            await sessions.EndAsync(session).ConfigureAwait(false);
            await AnswerAsync(context, failed, () => BlobCreated(context, route.Name, digest)).ConfigureAwait(false);
        });

    public Task StatusAsync(HttpContext context, RegistryRoute route)
        => WithSessionAsync(context, route, session =>
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            UploadHeaders(context, session);
            return Task.CompletedTask;
        });

    public Task CancelAsync(HttpContext context, RegistryRoute route)
        => WithSessionAsync(context, route, async session =>
        {
            await sessions.EndAsync(session).ConfigureAwait(false);
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            context.Response.ContentLength = 0;
        });

    private async Task WithSessionAsync(HttpContext context, RegistryRoute route, Func<UploadSession, Task> action)
    {
        var session = sessions.Find(route.Name, route.Argument);
        if (session is null)
        {
            await RegistryError.BlobUploadUnknown().WriteAsync(context).ConfigureAwait(false);
            return;
        }

        await session.Gate.WaitAsync(context.RequestAborted).ConfigureAwait(false);
        try
        {
            if (session.Closed)
            {
                await RegistryError.BlobUploadUnknown().WriteAsync(context).ConfigureAwait(false);
                return;
            }

            session.Touch();
            await action(session).ConfigureAwait(false);
        }
        finally
        {
            session.Touch();
            session.Gate.Release();
        }
    }

    /// <summary>
    /// Appends the request body. With <c>Content-Range</c> the chunk must start where the upload ends (else
    /// 416) and be exactly as long as it says; without one the body is streamed as it comes.
    /// Returns the error to answer, if any (for a 416 the upload's headers are already set).
    /// </summary>
    private static async Task<RegistryError?> AppendAsync(HttpContext context, UploadSession session)
    {
        var request = context.Request;
        long? expected = request.ContentLength;
        string? contentRange = request.Headers.ContentRange;
        if (!string.IsNullOrEmpty(contentRange))
        {
            var m = ContentRangeRegex().Match(contentRange);
            if (!m.Success
                || !long.TryParse(m.Groups["start"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(m.Groups["end"].Value, NumberStyles.None, CultureInfo.InvariantCulture, out long end)
                || end < start
                || start != session.Upload.Length)
            {
                UploadHeaders(context, session);
                return RegistryError.RangeInvalid($"Content-Range {contentRange} does not continue the upload at {session.Upload.Length}");
            }

            if (expected is { } declared && declared != end - start + 1)
            {
                return RegistryError.SizeInvalid($"Content-Range {contentRange} but Content-Length {declared}");
            }

            expected = end - start + 1;
        }

        // Blob bodies have no size limit; the server-wide limit stays for everything else.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        try
        {
            await session.Upload.AppendAsync(request.Body, expected, context.RequestAborted).ConfigureAwait(false);
            return null;
        }
        catch (DigestMismatchException e)
        {
            return RegistryError.SizeInvalid(e.Message);
        }
    }

    private static async Task<RegistryError?> CommitAsync(HttpContext context, UploadSession session, Digest digest)
    {
        try
        {
            await session.Upload.CommitAsync(digest, BlobMediaType, context.RequestAborted).ConfigureAwait(false);
            return null;
        }
        catch (DigestMismatchException e)
        {
            return RegistryError.DigestInvalid(e.Message);
        }
    }

    private static Task AnswerAsync(HttpContext context, RegistryError? failed, Action success)
    {
        if (failed is not null)
        {
            return failed.WriteAsync(context);
        }

        success();
        return Task.CompletedTask;
    }

    private Task TooManyUploadsAsync(HttpContext context)
    {
        ResponseHeaders.Set(context.Response, "Retry-After", "10");
        return new RegistryError(429, "TOOMANYREQUESTS", "too many requests", $"{sessions.MaxOpenSessions} uploads are open").WriteAsync(context);
    }

    private static void UploadHeaders(HttpContext context, UploadSession session)
    {
        var response = context.Response;
        ResponseHeaders.Set(response, "Location", session.Location);
        ResponseHeaders.Set(response, "Range", session.RangeHeader);
        ResponseHeaders.Set(response, ResponseHeaders.UploadUuid, session.Id);
        if (response.StatusCode != StatusCodes.Status416RangeNotSatisfiable && !response.HasStarted)
        {
            response.ContentLength = 0;
        }
    }

    private static void BlobCreated(HttpContext context, string name, Digest digest)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.ContentLength = 0;
        ResponseHeaders.Set(response, "Location", "/v2/" + name + "/blobs/" + digest);
        ResponseHeaders.Set(response, ResponseHeaders.ContentDigest, digest.ToString());
    }

    [GeneratedRegex(@"^(?:bytes[ =])?(?<start>[0-9]+)-(?<end>[0-9]+)(?:/(?:[0-9]+|\*))?$")]
    private static partial Regex ContentRangeRegex();
}
