using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

public sealed partial class RegistryRepository
{
    private const string OctetStream = "application/octet-stream";

    // Manifests written in this session, so TagAsync can PUT the same bytes under a tag without a GET.
    private readonly ConcurrentDictionary<Digest, byte[]> _writtenManifests = new();

    // Root manifests already PUT under their tag by WriteAsync (see RootTag).
    private readonly ConcurrentDictionary<(Digest, string), bool> _putUnderTag = new();

    /// <summary>
    /// The root manifest of the copy about to run and the tag it will get: WriteAsync PUTs that manifest under
    /// the tag straight away (one request, as skopeo and crane do) and the <see cref="TagAsync"/> after the copy
    /// has nothing left to send. Null: manifests are PUT by digest and tagged afterwards.
    /// </summary>
    public (Digest Root, string Tag)? RootTag { get; set; }

    /// <summary>HEAD on the blob (or manifest); true when the registry has it with the right size.</summary>
    public Task<bool> ExistsAsync(Descriptor descriptor, CancellationToken cancellationToken)
    {
        bool manifest = MediaTypes.IsManifest(descriptor.MediaType);
        string what = $"{(manifest ? "manifest" : "blob")} {descriptor.Digest} in {Registry}/{Name}";
        return OnEndpointsAsync(HostCapabilities.Push, what, async endpoint =>
        {
            using var response = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Head,
                Path = $"{Escape(Name)}/{(manifest ? "manifests" : "blobs")}/{descriptor.Digest}",
                Accept = manifest ? MediaTypes.AllManifests : [],
                Repository = Name,
                Scopes = PushScope,
                What = what,
            }, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
            }

            return response.Content.Headers.ContentLength is not long size || size == descriptor.Size;
        }, cancellationToken);
    }

    /// <summary>
    /// <see cref="IContentTarget"/>: a manifest is PUT by digest (bytes exact, checked first); a blob is
    /// mounted when a <see cref="MountSources"/> repository has it, else uploaded.
    /// </summary>
    public async Task WriteAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        if (MediaTypes.IsManifest(descriptor.MediaType))
        {
            byte[] bytes = await ReadManifestAsync(descriptor, content, cancellationToken).ConfigureAwait(false);
            string? tag = RootTag is { } root && root.Root == descriptor.Digest ? root.Tag : null;
            try
            {
                await PutManifestAsync(tag ?? descriptor.Digest.ToString(), descriptor, bytes, cancellationToken).ConfigureAwait(false);
                if (tag is not null)
                {
                    _putUnderTag[(descriptor.Digest, tag)] = true;
                }
            }
            catch (RegistryResponseException e) when (LacksContent(e))
            {
                // Blobs the copy placed (or found) at an endpoint that later failed are not where the push went on.
                var missing = await MissingChildrenAsync(descriptor, bytes, cancellationToken).ConfigureAwait(false);
                if (missing.Count == 0)
                {
                    throw;
                }

                Log.Add("push", $"manifest {descriptor.Digest}: {missing.Count} of its blobs are not at the endpoint the push went on to; sending them again");
                throw new MissingAtTargetException(descriptor, missing, Description);
            }

            return;
        }

        // No HEAD here: the copy engine asks ExistsAsync before it opens the source.
        foreach (string from in MountSources.Where(f => f != Name))
        {
            if (await TryMountAsync(descriptor, from, cancellationToken).ConfigureAwait(false))
            {
                return;
            }
        }

        await UploadBlobAsync(descriptor, content, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><see cref="IContentTarget"/>: PUT the root manifest's bytes again under the tag of <paramref name="reference"/>.</summary>
    public async Task TagAsync(string? reference, Descriptor root, string source, CancellationToken cancellationToken)
    {
        if (reference is null || Digest.TryParse(reference, out _))
        {
            return; // pushed by digest only: WriteAsync already put the manifest
        }

        string? tag = reference.Contains('/', StringComparison.Ordinal) || reference.Contains('@', StringComparison.Ordinal)
            ? ImageReference.Parse(reference).Tag
            : reference;
        if (tag is null)
        {
            Log.Add("push", $"{reference} names a digest only: the manifest is already there by digest, no tag to set");
            return;
        }

        if (_putUnderTag.ContainsKey((root.Digest, tag)))
        {
            Log.Add("push", $"manifest {Registry}/{Name}:{tag} was written under its tag ({root.Digest}); nothing left to tag");
            return;
        }

        if (!_writtenManifests.TryGetValue(root.Digest, out byte[]? bytes))
        {
            bytes = (await GetManifestAsync(root.Digest.ToString(), cancellationToken).ConfigureAwait(false)).Bytes.ToArray();
        }

        await PutManifestAsync(tag, root, bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>PUT a manifest under a tag or its digest, exactly these bytes, with its own media type.</summary>
    public Task PutManifestAsync(string reference, Descriptor descriptor, byte[] bytes, CancellationToken cancellationToken)
    {
        string what = $"manifest {Registry}/{Name}{(reference.Contains(':', StringComparison.Ordinal) ? "@" : ":")}{reference}";
        return OnEndpointsAsync(HostCapabilities.Push, what, async endpoint =>
        {
            using var response = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Put,
                Path = $"{Escape(Name)}/manifests/{reference}",
                Content = () => new ByteArrayContent(bytes) { Headers = { ContentType = new MediaTypeHeaderValue(descriptor.MediaType) } },
                Repository = Name,
                Scopes = PushScope,
                What = what,
            }, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
            }

            if (Digest.TryParse(HeaderDigest(response), out var stored) && stored != descriptor.Digest)
            {
                throw new DigestMismatchException($"{what}: {endpoint.Authority} stored it as {stored}, not {descriptor.Digest}");
            }

            _writtenManifests[descriptor.Digest] = bytes;
            if (response.Headers.Contains("OCI-Subject"))
            {
                _indexedByRegistry[descriptor.Digest] = 0;
            }

            Log.Add("push", $"{what} written ({descriptor.Digest})");
            return true;
        }, cancellationToken);
    }

    /// <summary>
    /// Cross-repository mount; false when the registry answered with a plain upload session (202) instead, or when
    /// the two repositories have different logins: the mount's one Authorization would have to read the source
    /// with the target's login, so the blob is uploaded instead, read from the source with the source's own.
    /// </summary>
    public Task<bool> TryMountAsync(Descriptor descriptor, string fromRepository, CancellationToken cancellationToken)
    {
        string what = $"mount of {descriptor.Digest} from {fromRepository} into {Name}";
        var scopes = new ScopeSet([ScopeSet.Push(Name), ScopeSet.Pull(fromRepository)]);
        return OnEndpointsAsync(HostCapabilities.Push, what, async endpoint =>
        {
            if (!await _transport.Auth.SameLoginAsync(endpoint, Name, fromRepository, cancellationToken).ConfigureAwait(false))
            {
                Log.Add("push", $"{what}: not tried, {fromRepository} and {Name} have different logins; uploading instead");
                return false;
            }

            using var response = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Post,
                Path = $"{Escape(Name)}/blobs/uploads/",
                Query = $"mount={Uri.EscapeDataString(descriptor.Digest.ToString())}&from={Uri.EscapeDataString(fromRepository)}",
                Content = () => new ByteArrayContent([]),
                Repository = Name,
                Scopes = scopes,
                What = what,
            }, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                Log.Add("push", $"{what}: mounted");
                return true;
            }

            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                Log.Add("push", $"{what}: not mounted (202), uploading instead");
                if (response.Headers.Location is not null)
                {
                    await CancelUploadAsync(endpoint, Location(response, endpoint, what), scopes, cancellationToken).ConfigureAwait(false);
                }

                return false;
            }

            throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    /// <summary>The registry refused a manifest for content it lacks: the push must send that, not try elsewhere.</summary>
    private static bool LacksContent(XpkgException e)
        => e is RegistryResponseException r && r.Codes.Any(c => c is "MANIFEST_BLOB_UNKNOWN" or "BLOB_UNKNOWN");

    private async Task<List<Descriptor>> MissingChildrenAsync(Descriptor descriptor, byte[] bytes, CancellationToken cancellationToken)
    {
        var parsed = ParsedManifest.Parse(bytes, descriptor.MediaType);
        var missing = new List<Descriptor>();
        foreach (var child in parsed.Children)
        {
            if (!await ExistsAsync(child, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(child);
            }
        }

        return missing;
    }

    private static async Task<byte[]> ReadManifestAsync(Descriptor descriptor, Stream content, CancellationToken cancellationToken)
    {
        if (descriptor.Size > ParsedManifest.MaxBytes)
        {
            throw new InvalidInputException($"manifest {descriptor.Digest} is {descriptor.Size} bytes, over the {ParsedManifest.MaxBytes} byte limit");
        }

        await using var verified = new VerifyingStream(content, descriptor.Digest, descriptor.Size, leaveOpen: true);
        using var buffer = new MemoryStream((int)descriptor.Size);
        await verified.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
