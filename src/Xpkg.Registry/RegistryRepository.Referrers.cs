using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Oci.Content;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

public sealed partial class RegistryRepository : IReferrersSource, IReferrersTarget
{
    // Referrers whose PUT was answered with OCI-Subject: the registry indexes them itself, no fallback tag needed.
    private readonly ConcurrentDictionary<Digest, byte> _indexedByRegistry = new();

    /// <summary>
    /// Manifests whose <c>subject</c> is <paramref name="subject"/>: the referrers API, or the
    /// <c>sha256-&lt;hex&gt;</c> tag schema where the registry has no such API (distribution 2.8 answers 404).
    /// </summary>
    public async Task<IReadOnlyList<Descriptor>> ReferrersAsync(Digest subject, string? artifactType, CancellationToken cancellationToken)
    {
        string what = $"referrers of {Registry}/{Name}@{subject}";
        var viaApi = await OnEndpointsAsync<IReadOnlyList<Descriptor>?>(HostCapabilities.Pull, what, async endpoint =>
        {
            using var response = await _transport.SendAsync(endpoint, new RegistryRequest
            {
                Method = HttpMethod.Get,
                Path = $"{Escape(Name)}/referrers/{subject}",
                Query = artifactType is null ? null : "artifactType=" + Uri.EscapeDataString(artifactType),
                Accept = [MediaTypes.OciIndex],
                Repository = Name,
                Scopes = PullScope,
                What = what,
            }, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == MediaTypes.OciIndex)
            {
                byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, ParsedManifest.MaxBytes, what, cancellationToken).ConfigureAwait(false);
                bool filtered = response.Headers.TryGetValues("OCI-Filters-Applied", out var f) && f.Any(v => v.Contains("artifactType", StringComparison.Ordinal));
                Log.Add("referrers", $"{what}: referrers API at {endpoint.Authority}");
                return Filter(ParsedManifest.Parse(body, MediaTypes.OciIndex).Manifests, filtered ? null : artifactType);
            }

            if (response.StatusCode is not (HttpStatusCode.NotFound or HttpStatusCode.BadRequest or HttpStatusCode.MethodNotAllowed))
            {
                throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
            }

            return null; // no referrers API here: the tag schema below
        }, cancellationToken).ConfigureAwait(false);
        if (viaApi is not null)
        {
            return viaApi;
        }

        string tag = ReferrersTag(subject);
        Log.Add("referrers", $"{what}: no referrers API; reading the fallback tag {tag}");
        try
        {
            var index = await GetManifestAsync(tag, cancellationToken).ConfigureAwait(false);
            var parsed = index.Parse();
            return parsed.IsIndex ? Filter(parsed.Manifests, artifactType) : [];
        }
        catch (RegistryResponseException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return [];
        }
    }

    /// <summary>The referrers tag schema: <c>sha256:abc…</c> becomes the tag <c>sha256-abc…</c>.</summary>
    public static string ReferrersTag(Digest subject) => $"{subject.Algorithm}-{subject.Encoded}"[..Math.Min(128, subject.Algorithm.Length + 1 + subject.Encoded.Length)];

    private static IReadOnlyList<Descriptor> Filter(IReadOnlyList<Descriptor> manifests, string? artifactType)
        => artifactType is null ? manifests : [.. manifests.Where(m => m.ArtifactType == artifactType)];

    Task<IReadOnlyList<Descriptor>> IReferrersSource.ReferrersAsync(Digest subject, CancellationToken cancellationToken)
        => ReferrersAsync(subject, artifactType: null, cancellationToken);

    /// <summary>
    /// <see cref="IReferrersTarget"/>: where the registry did not acknowledge a referrer's subject (no
    /// <c>OCI-Subject</c> on its PUT, as distribution 2.8 answers), adds it to the <c>sha256-&lt;hex&gt;</c>
    /// tag index, as the distribution spec asks of clients; the index is PUT only when it changes.
    /// </summary>
    public async Task AddReferrersAsync(Descriptor subject, IReadOnlyList<Descriptor> referrers, string source, CancellationToken cancellationToken)
    {
        var pending = referrers.Where(r => !_indexedByRegistry.ContainsKey(r.Digest)).ToList();
        if (pending.Count > 0 && !pending.Any(r => _writtenManifests.ContainsKey(r.Digest)))
        {
            // All were here before this copy: add only those the registry does not list yet (API or tag).
            var known = (await ReferrersAsync(subject.Digest, artifactType: null, cancellationToken).ConfigureAwait(false)).Select(k => k.Digest).ToHashSet();
            pending.RemoveAll(r => known.Contains(r.Digest));
        }

        if (pending.Count == 0)
        {
            Log.Add("referrers", $"referrers of {subject.Digest} in {Registry}/{Name}: the registry lists them already");
            return;
        }

        string tag = ReferrersTag(subject.Digest);
        var manifests = new List<Descriptor>();
        try
        {
            var existing = (await GetManifestAsync(tag, cancellationToken).ConfigureAwait(false)).Parse();
            if (existing.IsIndex)
            {
                manifests.AddRange(existing.Manifests);
            }
        }
        catch (RegistryResponseException e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
        }

        var added = pending.Where(r => manifests.All(m => m.Digest != r.Digest)).ToList();
        if (added.Count == 0)
        {
            return;
        }

        manifests.AddRange(added.Select(r => new Descriptor { MediaType = r.MediaType, Digest = r.Digest, Size = r.Size, ArtifactType = r.ArtifactType, Annotations = r.Annotations }));
        byte[] bytes = JsonSerializer.SerializeToUtf8Bytes(new OciIndexDocument { Manifests = manifests }, OciJsonContext.Relaxed.OciIndexDocument);
        await PutManifestAsync(tag, Descriptor.For(MediaTypes.OciIndex, bytes), bytes, cancellationToken).ConfigureAwait(false);
        Log.Add("referrers", $"referrers of {subject.Digest} in {Registry}/{Name}: no OCI-Subject from the registry; tag {tag} now lists {manifests.Count} (from {source})");
    }
}
