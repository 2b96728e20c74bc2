using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>end-3 (GET/HEAD), end-7 (PUT) and end-9 (DELETE) of manifests, by tag or by digest.</summary>
internal sealed class ManifestEndpoints(ContentStore store, RepositoryMap repositories, ManifestInfoCache manifests)
{
    public const string PushSource = "push";

    public async Task GetAsync(HttpContext context, RegistryRoute route)
    {
        var ct = context.RequestAborted;
        Digest digest;
        string? mediaType = null;
        if (route.Argument.Contains(':', StringComparison.Ordinal))
        {
            if (!Digest.TryParse(route.Argument, out digest, out string reason))
            {
                await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            // The type it was pushed or loaded as, when the repository names it; else what the document says.
            var entries = await repositories.EntriesAsync(route.Name, ct).ConfigureAwait(false);
            mediaType = entries.FirstOrDefault(e => e.RootDigest == digest)?.Stored.Root.MediaType;
        }
        else
        {
            var entry = RegistryRoute.IsValidTag(route.Argument)
                ? await repositories.ResolveTagAsync(route.Name, route.Argument, ct).ConfigureAwait(false)
                : null;
            if (entry is null)
            {
                await RegistryError.ManifestUnknown(route.Name + ":" + route.Argument).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            digest = entry.RootDigest;
            mediaType = entry.Stored.Root.MediaType;
        }

        var info = await manifests.GetAsync(digest, ct).ConfigureAwait(false);
        if (info is not null && manifests.Served(digest) is { } served && File.Exists(store.BlobPath(digest)))
        {
            // Still in the store (another process may have removed it), so the bytes kept in memory are its content.
            await ServeAsync(context, mediaType ?? info.MediaType, served).ConfigureAwait(false);
            return;
        }

        var file = info is null ? null : ResponseHeaders.OpenShared(store.BlobPath(digest));
        if (file is null)
        {
            await RegistryError.ManifestUnknown(digest.ToString()).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        await using (file.ConfigureAwait(false))
        {
            var response = context.Response;
            response.ContentType = mediaType ?? info!.MediaType;
            response.ContentLength = file.Length;
            ResponseHeaders.Set(response, ResponseHeaders.ContentDigest, digest.ToString());
            ResponseHeaders.Set(response, "ETag", "\"" + digest + "\"");
            if (!HttpMethods.IsHead(context.Request.Method))
            {
                await ResponseHeaders.CopyAsync(file, 0, file.Length, response, ct).ConfigureAwait(false);
            }
        }
    }

    private static Task ServeAsync(HttpContext context, string mediaType, ServedManifest served)
    {
        var response = context.Response;
        response.ContentType = mediaType;
        response.ContentLength = served.Content.Length;
        var headers = response.Headers;
        headers[ResponseHeaders.ContentDigest] = served.Digest;
        headers.ETag = served.ETag;
        return HttpMethods.IsHead(context.Request.Method)
            ? Task.CompletedTask
            : response.Body.WriteAsync(served.Content, context.RequestAborted).AsTask();
    }

    public async Task PutAsync(HttpContext context, RegistryRoute route)
    {
        var ct = context.RequestAborted;
        bool byDigest = route.Argument.Contains(':', StringComparison.Ordinal);
        Digest expected = default;
        if (byDigest && !Digest.TryParse(route.Argument, out expected, out string reason))
        {
            await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        // Push by digest may name tags as ?tag=a&tag=b (distribution-spec main, end-7b).
        var tags = byDigest
            ? context.Request.Query["tag"].Where(t => !string.IsNullOrEmpty(t)).Select(t => t!).Distinct(StringComparer.Ordinal).ToList()
            : [route.Argument];
        if (tags.FirstOrDefault(t => !RegistryRoute.IsValidTag(t)) is { } badTag)
        {
            await new RegistryError(400, "TAG_INVALID", "manifest tag did not match URI", badTag).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        byte[]? bytes = await ReadBoundedAsync(context.Request, ParsedManifest.MaxBytes, ct).ConfigureAwait(false);
        if (bytes is null)
        {
            await RegistryError.TooLarge($"manifests are limited to {ParsedManifest.MaxBytes} bytes").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        string? contentType = context.Request.ContentType?.Split(';')[0].Trim();
        ParsedManifest parsed;
        try
        {
            parsed = ParsedManifest.Parse(bytes, contentType);
        }
        catch (InvalidInputException e)
        {
            await RegistryError.ManifestInvalid(e.Message).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var digest = Digest.Compute(bytes, byDigest ? expected.Algorithm : Digest.Sha256);
        if (byDigest && digest != expected)
        {
            await RegistryError.DigestInvalid($"content is {digest}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var descriptor = new Descriptor { MediaType = parsed.MediaType, Digest = digest, Size = bytes.Length, ArtifactType = parsed.ArtifactType };
        using (var content = new MemoryStream(bytes, writable: false))
        {
            await store.WriteAsync(descriptor, content, ct).ConfigureAwait(false);
        }

        manifests.Remember(digest, ManifestInfo.From(parsed, bytes.Length), bytes);
        if (tags.Count == 0)
        {
            await RecordAsync(route.Name, null, descriptor, parsed, ct).ConfigureAwait(false);
        }

        foreach (string tag in tags)
        {
            await RecordAsync(route.Name, tag, descriptor, parsed, ct).ConfigureAwait(false);
        }

        var response = context.Response;
        response.StatusCode = StatusCodes.Status201Created;
        response.ContentLength = 0;
        ResponseHeaders.Set(response, "Location", "/v2/" + route.Name + "/manifests/" + digest);
        ResponseHeaders.Set(response, ResponseHeaders.ContentDigest, digest.ToString());
        if (byDigest && tags.Count > 0)
        {
            response.Headers["OCI-Tag"] = new Microsoft.Extensions.Primitives.StringValues([.. tags]);
        }

        if (parsed.Subject is { } subject)
        {
            ResponseHeaders.Set(response, "OCI-Subject", subject.Digest.ToString());
        }
    }

    /// <summary>
    /// Names the pushed manifest in the cache: by tag, or by digest when the repository does not hold it yet.
    /// A digest-only entry is dropped once a tag names the same manifest or an index pushed by tag takes it in.
    /// </summary>
    private async Task RecordAsync(string name, string? tag, Descriptor descriptor, ParsedManifest parsed, CancellationToken ct)
    {
        var entries = await repositories.EntriesAsync(name, ct).ConfigureAwait(false);
        if (tag is null)
        {
            if (!entries.Any(e => e.RootDigest == descriptor.Digest))
            {
                await repositories.TagAsync(repositories.DigestReference(name, descriptor.Digest), descriptor, PushSource, ct).ConfigureAwait(false);
            }

            return;
        }

        await repositories.TagAsync(repositories.TagReference(name, tag), descriptor, PushSource, ct).ConfigureAwait(false);
        var absorbed = new HashSet<Digest>(parsed.Manifests.Where(m => m.Digest != descriptor.Digest).Select(m => m.Digest)) { descriptor.Digest };
        var redundant = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in entries.Where(e => e.Tag is null && e.Registry == repositories.RegistryHost && absorbed.Contains(e.RootDigest)))
        {
            // A manifest with a subject stays listed on its own: the referrers API finds it through its entry.
            if ((await manifests.GetAsync(e.RootDigest, ct).ConfigureAwait(false))?.Subject is null)
            {
                redundant.Add(e.Stored.Reference!);
            }
        }

        if (redundant.Count > 0)
        {
            await repositories.RemoveAsync(s => s.Reference is not null && redundant.Contains(s.Reference), ct).ConfigureAwait(false);
        }
    }

    public async Task DeleteAsync(HttpContext context, RegistryRoute route)
    {
        var ct = context.RequestAborted;
        var entries = await repositories.EntriesAsync(route.Name, ct).ConfigureAwait(false);
        if (!route.Argument.Contains(':', StringComparison.Ordinal))
        {
            var tagged = entries.Where(e => e.Tag == route.Argument).Select(e => e.Stored.Reference).ToHashSet(StringComparer.Ordinal);
            if (tagged.Count == 0)
            {
                await RegistryError.ManifestUnknown(route.Name + ":" + route.Argument).WriteAsync(context).ConfigureAwait(false);
                return;
            }

            await repositories.RemoveAsync(s => s.Reference is not null && tagged.Contains(s.Reference), ct).ConfigureAwait(false);
            Accepted(context);
            return;
        }

        if (!Digest.TryParse(route.Argument, out var digest, out string reason))
        {
            await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        // Deleting by digest removes every name the repository has for it, then the manifest itself
        // unless something else in the cache still points at it.
        var names = entries.Where(e => e.RootDigest == digest).Select(e => e.Stored.Reference).ToHashSet(StringComparer.Ordinal);
        string path = store.BlobPath(digest);
        if (names.Count == 0 && (!File.Exists(path) || await manifests.GetAsync(digest, ct).ConfigureAwait(false) is null))
        {
            await RegistryError.ManifestUnknown(digest.ToString()).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (names.Count > 0)
        {
            await repositories.RemoveAsync(s => s.Reference is not null && names.Contains(s.Reference), ct).ConfigureAwait(false);
        }

        var remaining = await repositories.AllAsync(ct).ConfigureAwait(false);
        var user = await manifests.FindUserAsync(remaining.Select(e => e.Entry.Stored), digest, ct).ConfigureAwait(false);
        if (user is null)
        {
            ContentStoreFiles.TryDelete(path);
            manifests.Forget(digest);
        }
        else if (names.Count == 0)
        {
            await RegistryError.Unsupported($"manifest is still used by {user.DisplayName}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        Accepted(context);
    }

    private static void Accepted(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status202Accepted;
        context.Response.ContentLength = 0;
    }

    /// <summary>Reads a request body into memory, or returns null when it is over <paramref name="limit"/> bytes.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpRequest request, int limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        byte[] chunk = new byte[81920];
        int n;
        while ((n = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + n > limit)
            {
                return null;
            }

            buffer.Write(chunk, 0, n);
        }

        return buffer.ToArray();
    }
}
