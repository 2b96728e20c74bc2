using Xpkg.ContainerdClient;
using Xpkg.Oci;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// containerd's image store, served as it is: names are containerd image names (<c>docker.io/library/alpine:3.20</c>),
/// content is streamed from its content service and never copied into the cache. A whole blob or manifest is
/// verified while it streams; a range is read at an offset and cannot be (containerd verified it when it was written).
/// </summary>
public sealed class ContainerdUpstream(ContainerdStore containerd) : IUpstream
{
    public bool FillsCache => false;

    public string Describe(UpstreamName? name) => containerd.Description;

    public async Task<Descriptor?> ResolveAsync(UpstreamName name, string tag, CancellationToken cancellationToken)
        => await containerd.GetImageAsync(name.TagReference(tag), cancellationToken).ConfigureAwait(false) is { } image
            ? image.Target with { Annotations = null }
            : null;

    public async Task<UpstreamManifest?> GetManifestAsync(UpstreamName name, string reference, CancellationToken cancellationToken)
    {
        Descriptor? descriptor;
        if (Digest.TryParse(reference, out var digest))
        {
            descriptor = await containerd.InfoAsync(digest, cancellationToken).ConfigureAwait(false) is long size
                ? new Descriptor { MediaType = MediaTypes.OciManifest, Digest = digest, Size = size }
                : null;
        }
        else
        {
            descriptor = await ResolveAsync(name, reference, cancellationToken).ConfigureAwait(false);
        }

        if (descriptor is null || descriptor.Size > ParsedManifest.MaxBytes)
        {
            return null;
        }

        byte[] bytes = new byte[descriptor.Size];
        var stream = await containerd.OpenAsync(descriptor, cancellationToken).ConfigureAwait(false);
        var verifying = new VerifyingStream(stream, descriptor.Digest, descriptor.Size);
        await using (verifying.ConfigureAwait(false))
        {
            await verifying.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            _ = await verifying.ReadAsync(new byte[1], cancellationToken).ConfigureAwait(false);
        }

        // A blob that is no manifest (a layer asked for as a manifest) is not one: 404, as a registry answers.
        try
        {
            var parsed = ParsedManifest.Parse(bytes, MediaTypes.IsManifest(descriptor.MediaType) && !Digest.TryParse(reference, out _) ? descriptor.MediaType : null);
            return new UpstreamManifest(descriptor with { MediaType = parsed.MediaType }, bytes);
        }
        catch (InvalidInputException)
        {
            return null;
        }
    }

    public Task<long?> StatBlobAsync(UpstreamName name, Digest digest, CancellationToken cancellationToken)
        => containerd.InfoAsync(digest, cancellationToken);

    public Task<Stream> OpenBlobAsync(UpstreamName name, Descriptor descriptor, long offset, CancellationToken cancellationToken)
        => containerd.OpenAsync(descriptor, offset, cancellationToken);

    public async Task<IReadOnlyList<string>?> ListRepositoriesAsync(CancellationToken cancellationToken)
    {
        var images = await containerd.ListImagesAsync(null, cancellationToken).ConfigureAwait(false);
        return images.Select(i => ImageReference.TryParse(i.Name, out var r, out _) ? r : null).OfType<ImageReference>()
            .Select(r => r.Registry == ImageReference.DockerHub ? r.Repository : r.Name)
            .Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<string>?> ListTagsAsync(UpstreamName name, CancellationToken cancellationToken)
    {
        string prefix = name + ":";
        var images = await containerd.ListImagesAsync(null, cancellationToken).ConfigureAwait(false);
        var tags = images.Where(i => i.Name.StartsWith(prefix, StringComparison.Ordinal)).Select(i => i.Name[prefix.Length..])
            .Where(t => !t.Contains('@', StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        return tags.Count == 0 ? null : tags;
    }

    public ValueTask DisposeAsync() => containerd.DisposeAsync();
}
