using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Server;

/// <summary>end-12a/12b: the manifests of a repository whose <c>subject</c> is a digest, as an image index.</summary>
internal sealed class ReferrersEndpoint(RepositoryMap repositories, ManifestInfoCache manifests)
{
    public async Task GetAsync(HttpContext context, RegistryRoute route)
    {
        var ct = context.RequestAborted;
        if (!Digest.TryParse(route.Argument, out var subject, out string reason))
        {
            await RegistryError.DigestInvalid(reason).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        string? artifactType = context.Request.Query["artifactType"];
        var found = new List<Descriptor>();
        var seen = new HashSet<Digest>();
        foreach (var entry in await repositories.EntriesAsync(route.Name, ct).ConfigureAwait(false))
        {
            if (!seen.Add(entry.RootDigest)
                || await manifests.GetAsync(entry.RootDigest, ct).ConfigureAwait(false) is not { } info
                || info.Subject != subject
                || (!string.IsNullOrEmpty(artifactType) && info.ArtifactType != artifactType))
            {
                continue;
            }

            found.Add(new Descriptor
            {
                MediaType = entry.Stored.Root.MediaType,
                Digest = entry.RootDigest,
                Size = info.Size,
                ArtifactType = info.ArtifactType,
                Annotations = info.Annotations,
            });
        }

        // Referrers a client recorded under the fallback tag (<alg>-<encoded>) before this API was used count too.
        string fallbackTag = subject.Algorithm + "-" + subject.Encoded[..Math.Min(64, subject.Encoded.Length)];
        if (await repositories.ResolveTagAsync(route.Name, fallbackTag, ct).ConfigureAwait(false) is { } fallback
            && MediaTypes.IsIndex(fallback.Stored.Root.MediaType)
            && await manifests.GetAsync(fallback.RootDigest, ct).ConfigureAwait(false) is { } fallbackIndex)
        {
            found.AddRange(fallbackIndex.Children.Where(d => seen.Add(d.Digest)
                && (string.IsNullOrEmpty(artifactType) || d.ArtifactType == artifactType)));
        }

        if (!string.IsNullOrEmpty(artifactType))
        {
            ResponseHeaders.Set(context.Response, "OCI-Filters-Applied", "artifactType");
        }

        var index = new OciIndexDocument { Manifests = found.OrderBy(d => d.Digest.ToString(), StringComparer.Ordinal).ToList() };
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(index, OciJsonContext.Relaxed.OciIndexDocument);
        context.Response.ContentType = MediaTypes.OciIndex;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, ct).ConfigureAwait(false);
    }
}
