using System.Net;
using Xpkg.Oci;
using Xpkg.Registry;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// Upstream registries through the registry client (hosts configuration, credentials, CA and insecure
/// settings, exactly as <c>xpkg pull</c> uses them). Tag checks go through a second client with a short
/// timeout and no retries, so a registry that is down or slow costs a revalidation little.
/// </summary>
public sealed class RegistryUpstream(RegistryClient fetch, RegistryClient check) : IUpstream
{
    public bool FillsCache => true;

    public string Describe(UpstreamName? name) => name is null ? "registry upstreams" : "registry " + name.Registry;

    public async Task<Descriptor?> ResolveAsync(UpstreamName name, string tag, CancellationToken cancellationToken)
    {
        try
        {
            return await check.Repository(name.Registry, name.Repository).ResolveAsync(tag, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryResponseException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<UpstreamManifest?> GetManifestAsync(UpstreamName name, string reference, CancellationToken cancellationToken)
    {
        try
        {
            var manifest = await fetch.Repository(name.Registry, name.Repository).GetManifestAsync(reference, cancellationToken).ConfigureAwait(false);
            return new UpstreamManifest(manifest.Descriptor, manifest.Bytes.ToArray());
        }
        catch (RegistryResponseException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task<long?> StatBlobAsync(UpstreamName name, Digest digest, CancellationToken cancellationToken)
        => fetch.Repository(name.Registry, name.Repository).StatBlobAsync(digest, cancellationToken);

    public Task<Stream> OpenBlobAsync(UpstreamName name, Descriptor descriptor, long offset, CancellationToken cancellationToken)
        => offset == 0
            ? fetch.Repository(name.Registry, name.Repository).OpenBlobAsync(descriptor, cancellationToken)
            : throw new ArgumentOutOfRangeException(nameof(offset), "a registry blob is fetched whole, into the cache");

    /// <summary>A mirror has no catalog of its own upstreams: <c>_catalog</c> lists the cache.</summary>
    public Task<IReadOnlyList<string>?> ListRepositoriesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>?>(null);

    public async Task<IReadOnlyList<string>?> ListTagsAsync(UpstreamName name, CancellationToken cancellationToken)
    {
        try
        {
            return await fetch.Repository(name.Registry, name.Repository).ListTagsAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (RegistryResponseException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public ValueTask DisposeAsync()
    {
        fetch.Dispose();
        check.Dispose();
        return ValueTask.CompletedTask;
    }
}
