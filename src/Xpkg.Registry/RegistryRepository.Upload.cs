using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

/// <summary>Blob uploads: a session, then one monolithic PUT or PATCH chunks; the status GET after a 416.</summary>
public sealed partial class RegistryRepository
{
    /// <summary>
    /// POST an upload session, then one PUT with the whole blob or PATCH chunks (<see cref="RegistryClientOptions.ChunkSize"/>).
    /// When an endpoint fails after reading part of the content, the next one gets it from its first byte again
    /// (<see cref="UploadBody"/>: seeked back, or opened again at its source; never buffered).
    /// </summary>
    public async Task UploadBlobAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        string what = $"upload of blob {descriptor.Digest} to {Registry}/{Name}";
        var body = new UploadBody(content, descriptor.Size);
        await using (body.ConfigureAwait(false))
        {
            await OnEndpointsAsync(HostCapabilities.Push, what, async endpoint =>
            {
                var stream = await body.StartAsync(what, () => Log.Add("push", $"{what}: opening the blob again at its source for {endpoint.Root}, as the endpoint before read part of it"), cancellationToken).ConfigureAwait(false);
                var (location, minChunk) = await StartUploadAsync(endpoint, what, cancellationToken).ConfigureAwait(false);
                // Chunks only when asked for: one PUT streams without buffering. The registry's minimum wins.
                int chunk = _client.Options.ChunkSize;
                if (chunk > 0)
                {
                    chunk = (int)Math.Min(Math.Max(chunk, minChunk), 64L * 1024 * 1024);
                    await ChunkedUploadAsync(endpoint, location, descriptor, stream, chunk, what, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    await MonolithicUploadAsync(endpoint, location, descriptor, stream, what, cancellationToken).ConfigureAwait(false);
                }

                Log.Add("push", $"{what}: done ({descriptor.Size} bytes{(chunk > 0 ? $", chunks of {chunk}" : "")})");
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(Uri Location, long MinChunk)> StartUploadAsync(RegistryEndpoint endpoint, string what, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(endpoint, new RegistryRequest
        {
            Method = HttpMethod.Post,
            Path = $"{Escape(Name)}/blobs/uploads/",
            Content = () => new ByteArrayContent([]),
            Repository = Name,
            Scopes = PushScope,
            What = what,
        }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Accepted)
        {
            throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
        }

        long minChunk = response.Headers.TryGetValues("OCI-Chunk-Min-Length", out var v)
            && long.TryParse(v.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out long m) ? m : 0;
        return (Location(response, endpoint, what), minChunk);
    }

    private async Task MonolithicUploadAsync(RegistryEndpoint endpoint, Uri location, Descriptor descriptor, Stream content, string what, CancellationToken cancellationToken)
    {
        long start = content.CanSeek ? content.Position : 0;
        BoundedReadStream? body = null;
        using var response = await _transport.SendAsync(endpoint, new RegistryRequest
        {
            Method = HttpMethod.Put,
            AbsoluteUri = location,
            Query = "digest=" + Uri.EscapeDataString(descriptor.Digest.ToString()),
            Content = () =>
            {
                if (content.CanSeek)
                {
                    content.Position = start;
                }

                // The registry checks the digest; the bound keeps a lying source from sending more than declared.
                body = new BoundedReadStream(content, descriptor.Size);
                return new StreamContent(body, 1024 * 1024)
                {
                    Headers = { ContentType = new MediaTypeHeaderValue(OctetStream), ContentLength = descriptor.Size },
                };
            },
            CanResend = content.CanSeek,
            BodyUntouched = () => body is null || !body.Touched,
            ResponseTimeout = false,
            Repository = Name,
            Scopes = PushScope,
            What = what,
        }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Created)
        {
            throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task ChunkedUploadAsync(RegistryEndpoint endpoint, Uri location, Descriptor descriptor, Stream content, int chunkSize, string what, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[chunkSize];
        long offset = 0;
        while (offset < descriptor.Size)
        {
            int n = await content.ReadAtLeastAsync(buffer.AsMemory(0, (int)Math.Min(chunkSize, descriptor.Size - offset)), (int)Math.Min(chunkSize, descriptor.Size - offset), throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                throw new DigestMismatchException($"{what}: the source ended at byte {offset} of {descriptor.Size}");
            }

            location = await PatchChunkAsync(endpoint, location, buffer, n, offset, what, cancellationToken).ConfigureAwait(false);
            offset += n;
        }

        using var done = await _transport.SendAsync(endpoint, new RegistryRequest
        {
            Method = HttpMethod.Put,
            AbsoluteUri = location,
            Query = "digest=" + Uri.EscapeDataString(descriptor.Digest.ToString()),
            Content = () => new ByteArrayContent([]) { Headers = { ContentType = new MediaTypeHeaderValue(OctetStream) } },
            Repository = Name,
            Scopes = PushScope,
            What = what,
        }, cancellationToken).ConfigureAwait(false);
        if (done.StatusCode != HttpStatusCode.Created)
        {
            throw await ErrorAsync(done, endpoint, what, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends <paramref name="buffer"/>[0..n) as the chunk at <paramref name="offset"/>. On 416 (the registry
    /// disagrees about the offset) it asks for the upload's status and sends what is missing of this chunk.
    /// </summary>
    private async Task<Uri> PatchChunkAsync(RegistryEndpoint endpoint, Uri location, byte[] buffer, int n, long offset, string what, CancellationToken cancellationToken)
    {
        int from = 0;
        for (int recoveries = 0; ; recoveries++)
        {
            long start = offset + from;
            long end = offset + n - 1;
            int skip = from;
            using var response = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Patch,
                AbsoluteUri = location,
                Content = () =>
                {
                    var body = new ByteArrayContent(buffer, skip, n - skip) { Headers = { ContentType = new MediaTypeHeaderValue(OctetStream), ContentLength = n - skip } };

                    // The distribution spec's form "start-end" is not RFC 9110's, so it bypasses header validation.
                    body.Headers.TryAddWithoutValidation("Content-Range", $"{start}-{end}");
                    return body;
                },
                ResponseTimeout = false,
                Repository = Name,
                Scopes = PushScope,
                What = $"{what} (chunk {start}-{end})",
            }, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                return Location(response, endpoint, what);
            }

            if (response.StatusCode != HttpStatusCode.RequestedRangeNotSatisfiable || recoveries >= 3)
            {
                throw await ErrorAsync(response, endpoint, $"{what} (chunk {start}-{end})", cancellationToken).ConfigureAwait(false);
            }

            (location, long have) = await UploadStatusAsync(endpoint, location, what, cancellationToken).ConfigureAwait(false);
            if (have < offset || have > offset + n)
            {
                throw new XpkgException($"{what}: the registry holds {have} bytes of the upload, outside the chunk at {offset}-{end} still in memory");
            }

            Log.Add("push", $"{what}: 416 for chunk {start}-{end}; the registry has {have} bytes, resending from there");
            from = (int)(have - offset);
            if (from == n)
            {
                return location;
            }
        }
    }

    /// <summary>GET on an upload session (end-13): its Location and how many bytes the registry holds.</summary>
    private async Task<(Uri Location, long Have)> UploadStatusAsync(RegistryEndpoint endpoint, Uri location, string what, CancellationToken cancellationToken)
    {
        using var response = await _transport.SendAsync(endpoint, new RegistryRequest
        {
            Method = HttpMethod.Get,
            AbsoluteUri = location,
            Repository = Name,
            Scopes = PushScope,
            What = what + " (status)",
        }, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NoContent)
        {
            throw await ErrorAsync(response, endpoint, what + " (status)", cancellationToken).ConfigureAwait(false);
        }

        // "Range: 0-<last byte held>"; "0-0" is also what an empty session says, so it is read as nothing.
        string? range = response.Headers.TryGetValues("Range", out var v) ? v.FirstOrDefault() : null;
        long have = 0;
        if (range is not null && range.StartsWith("0-", StringComparison.Ordinal)
            && long.TryParse(range[2..], NumberStyles.None, CultureInfo.InvariantCulture, out long last) && last > 0)
        {
            have = last + 1;
        }

        return (response.Headers.Location is null ? location : Location(response, endpoint, what), have);
    }

    private async Task CancelUploadAsync(RegistryEndpoint endpoint, Uri location, ScopeSet scopes, CancellationToken cancellationToken)
    {
        try
        {
            using var _ = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Delete,
                AbsoluteUri = location,
                Repository = Name,
                Scopes = scopes,
                What = "cancel upload",
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (XpkgException)
        {
            // Abandoned sessions expire on the registry; not worth failing the push over.
        }
    }

    private static Uri Location(HttpResponseMessage response, RegistryEndpoint endpoint, string what)
        => response.Headers.Location is { } loc
            ? new Uri(response.RequestMessage?.RequestUri ?? endpoint.Root, loc)
            : throw new XpkgException($"{what}: {endpoint.Authority} answered {(int)response.StatusCode} without a Location");
}
