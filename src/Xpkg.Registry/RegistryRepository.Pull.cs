using System.Collections.Concurrent;
using System.Net;

using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

public sealed partial class RegistryRepository
{
    // Roots fetched by FetchRootAsync, verified, so the copy that follows does not GET them again.
    private readonly ConcurrentDictionary<Digest, byte[]> _fetchedRoots = new();

    /// <summary>
    /// The descriptor of a tag or digest about to be copied: one GET (no HEAD first, as the copy needs the bytes
    /// anyway), its bytes kept for <see cref="OpenAsync"/>.
    /// </summary>
    public async Task<Descriptor> FetchRootAsync(string reference, CancellationToken cancellationToken)
    {
        var manifest = await GetManifestAsync(reference, cancellationToken).ConfigureAwait(false);
        _fetchedRoots[manifest.Descriptor.Digest] = manifest.Bytes.ToArray();
        LogResolved($"manifest {Registry}/{Name}{(Digest.TryParse(reference, out _) ? "@" : ":")}{reference}", manifest.Descriptor);
        return manifest.Descriptor;
    }

    /// <summary>The descriptor of a tag or digest: HEAD first (cheap, and not counted by rate limiters), GET when HEAD says too little.</summary>
    public async Task<Descriptor> ResolveAsync(string reference, CancellationToken cancellationToken)
    {
        bool byDigest = Digest.TryParse(reference, out var wanted);
        string what = $"manifest {Registry}/{Name}{(byDigest ? "@" : ":")}{reference}";
        var descriptor = await OnEndpointsAsync(byDigest ? HostCapabilities.Pull : HostCapabilities.Resolve, what, async endpoint =>
        {
            using var response = await _transport.SendAsync(endpoint, ManifestRequest(HttpMethod.Head, reference, what), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw ManifestUnknown(endpoint, reference);
            }

            if ((int)response.StatusCode is >= 400 and < 500 and not (401 or 403 or 429))
            {
                return null; // a HEAD answer has no body to explain itself (or no HEAD support): GET below
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
            }

            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            long? size = response.Content.Headers.ContentLength;
            if (Digest.TryParse(HeaderDigest(response), out var digest) && MediaTypes.IsManifest(mediaType) && size is > 0 and <= ParsedManifest.MaxBytes
                && (!byDigest || digest == wanted))
            {
                return new Descriptor { MediaType = mediaType!, Digest = digest, Size = size.Value };
            }

            return null; // HEAD was not conclusive: GET below hashes the bytes itself
        }, cancellationToken).ConfigureAwait(false);

        descriptor ??= (await GetManifestAsync(reference, cancellationToken).ConfigureAwait(false)).Descriptor;
        LogResolved(what, descriptor);
        return descriptor;
    }

    private void LogResolved(string what, Descriptor descriptor)
        => Log.Add("digest", $"{what} resolves to {descriptor.Digest} ({descriptor.MediaType}, {descriptor.Size} bytes)");

    /// <summary>
    /// Fetches a manifest or index by tag or digest, bounded to <see cref="ParsedManifest.MaxBytes"/>, with its
    /// digest checked against the requested digest and against <c>Docker-Content-Digest</c>.
    /// </summary>
    public Task<ManifestResponse> GetManifestAsync(string reference, CancellationToken cancellationToken)
    {
        bool byDigest = Digest.TryParse(reference, out var wanted);
        string what = $"manifest {Registry}/{Name}{(byDigest ? "@" : ":")}{reference}";
        return OnEndpointsAsync(byDigest ? HostCapabilities.Pull : HostCapabilities.Resolve, what, async endpoint =>
        {
            using var response = await _transport.SendAsync(endpoint, ManifestRequest(HttpMethod.Get, reference, what), cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                throw ManifestUnknown(endpoint, reference);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
            }

            byte[] bytes = await HttpBodies.ReadBoundedAsync(response.Content, ParsedManifest.MaxBytes, what, cancellationToken).ConfigureAwait(false);
            var actual = Digest.Compute(bytes, byDigest ? wanted.Algorithm : Digest.Sha256);
            if (byDigest && actual != wanted)
            {
                throw new DigestMismatchException($"{what} from {endpoint.Authority} has digest {actual}; the content was discarded");
            }

            if (Digest.TryParse(HeaderDigest(response), out var claimed) && claimed.Algorithm == actual.Algorithm && claimed != actual)
            {
                throw new DigestMismatchException($"{what} from {endpoint.Authority}: Docker-Content-Digest says {claimed}, the bytes are {actual}; the content was discarded");
            }

            var parsed = ParsedManifest.Parse(bytes, response.Content.Headers.ContentType?.MediaType);
            return new ManifestResponse(new Descriptor { MediaType = parsed.MediaType, Digest = actual, Size = bytes.Length }, bytes);
        }, cancellationToken);
    }

    /// <summary>Opens a blob as a stream that resumes after breaks and (by default) verifies size and digest at its end.</summary>
    public Task<Stream> OpenBlobAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        string what = $"blob {descriptor.Digest} of {Registry}/{Name}";
        return OnEndpointsAsync(HostCapabilities.Pull, what, async endpoint =>
        {
            Task<HttpResponseMessage> Send(long from, CancellationToken ct) => _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Get,
                Path = $"{Escape(Name)}/blobs/{descriptor.Digest}",
                Headers = from > 0 ? new Dictionary<string, string> { ["Range"] = $"bytes={from}-" } : new Dictionary<string, string>(),
                Repository = Name,
                Scopes = PullScope,
                What = what,
            }, ct);

            var response = await Send(0, cancellationToken).ConfigureAwait(false);
            try
            {
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new RegistryResponseException($"{what} is not at {endpoint.Authority} (blob unknown)", response.StatusCode, ["BLOB_UNKNOWN"],
                        "the manifest names a blob the registry does not have; push the image again");
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
                }

                if (response.Content.Headers.ContentLength is long declared && declared != descriptor.Size)
                {
                    throw new DigestMismatchException($"{what}: {endpoint.Authority} sends {declared} bytes, the descriptor says {descriptor.Size}; nothing was kept");
                }

                var body = await ResumingBlobStream.OpenAsync(response, descriptor.Size, Send, _client.Options, what, cancellationToken).ConfigureAwait(false);
                return _client.Options.VerifyBlobs ? new VerifyingStream(body, descriptor.Digest, descriptor.Size) : (Stream)body;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }, cancellationToken);
    }

    /// <summary>
    /// HEAD on a blob with pull rights: its size as the registry states it, or null when it does not have it.
    /// The size only bounds what a caller reads; the digest check at the end of the read is what counts.
    /// </summary>
    public Task<long?> StatBlobAsync(Digest digest, CancellationToken cancellationToken)
    {
        string what = $"blob {digest} of {Registry}/{Name}";
        return OnEndpointsAsync<long?>(HostCapabilities.Pull, what, async endpoint =>
        {
            using var response = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Head,
                Path = $"{Escape(Name)}/blobs/{digest}",
                Repository = Name,
                Scopes = PullScope,
                What = what,
            }, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return null;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
            }

            return response.Content.Headers.ContentLength is long size and >= 0
                ? size
                : throw new XpkgException($"{what}: {endpoint.Authority} did not state its size");
        }, cancellationToken);
    }

    /// <summary>
    /// <see cref="IContentSource"/>: manifests come back as their verified bytes, blobs as resumable streams.
    /// </summary>
    public async Task<Stream> OpenAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenContentAsync(descriptor, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryResponseException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            // The copy engine tolerates absent index children (sparse indexes) by this exception type.
            throw new ContentNotFoundException(descriptor.Digest, Description);
        }
    }

    private async Task<Stream> OpenContentAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            if (_fetchedRoots.TryGetValue(descriptor.Digest, out byte[]? fetched) && fetched.Length == descriptor.Size)
            {
                return new MemoryStream(fetched, writable: false);
            }

            var manifest = await GetManifestAsync(descriptor.Digest.ToString(), cancellationToken).ConfigureAwait(false);
            if (manifest.Descriptor.Size != descriptor.Size)
            {
                throw new DigestMismatchException($"manifest {descriptor.Digest} is {manifest.Descriptor.Size} bytes, its descriptor says {descriptor.Size}");
            }

            return new MemoryStream(manifest.Bytes.ToArray(), writable: false);
        }

        return await OpenBlobAsync(descriptor, cancellationToken).ConfigureAwait(false);
    }

    private RegistryRequest ManifestRequest(HttpMethod method, string reference, string what) => new()
    {
        Method = method,
        Path = $"{Escape(Name)}/manifests/{reference}",
        Accept = MediaTypes.AllManifests,
        Repository = Name,
        Scopes = PullScope,
        What = what,
    };

    private RegistryResponseException ManifestUnknown(RegistryEndpoint endpoint, string reference)
    {
        bool byDigest = reference.Contains(':', StringComparison.Ordinal);
        string refText = $"{Registry}/{Name}{(byDigest ? "@" : ":")}{reference}";
        return new RegistryResponseException($"manifest unknown: {refText} is not in registry {endpoint.Authority}{(endpoint.IsMirror ? $" (mirror of {Registry})" : "")}",
            HttpStatusCode.NotFound, ["MANIFEST_UNKNOWN"],
            byDigest ? "check the digest; it may have been deleted" : $"check the tag: list the existing ones with `xpkg tags {Registry}/{Name}`");
    }

    private static string? HeaderDigest(HttpResponseMessage response)
        => response.Headers.TryGetValues("Docker-Content-Digest", out var v) ? v.FirstOrDefault()?.Trim() : null;

}
