using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xpkg.Oci;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Http;

namespace Xpkg.Registry;

public sealed partial class RegistryRepository
{
    private const int MaxTagPages = 10_000;

    /// <summary>
    /// Every tag, following <c>Link: &lt;…&gt;; rel="next"</c> pages (asking for <paramref name="pageSize"/> per
    /// page when given). Registries that ignore <c>n</c> return everything at once, which is fine too.
    /// </summary>
    public Task<IReadOnlyList<string>> ListTagsAsync(int? pageSize, CancellationToken cancellationToken)
    {
        string what = $"tags of {Registry}/{Name}";
        return OnEndpointsAsync<IReadOnlyList<string>>(HostCapabilities.Resolve, what, async endpoint =>
        {
            var tags = new List<string>();
            Uri? next = null;
            for (int page = 0; page < MaxTagPages; page++)
            {
                using var response = await _transport.SendAsync(endpoint, new RegistryRequest
                {
                    Method = HttpMethod.Get,
                    Path = next is null ? $"{Escape(Name)}/tags/list" : null,
                    AbsoluteUri = next,
                    Query = next is null && pageSize is int n ? $"n={n}" : null,
                    Repository = Name,
                    Scopes = PullScope,
                    What = what,
                }, cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    throw new RegistryResponseException($"repository {Name} is not in registry {endpoint.Authority}", response.StatusCode, ["NAME_UNKNOWN"],
                        "check the repository name");
                }

                if (!response.IsSuccessStatusCode)
                {
                    throw await ErrorAsync(response, endpoint, what, cancellationToken).ConfigureAwait(false);
                }

                byte[] body = await HttpBodies.ReadBoundedAsync(response.Content, 16 * 1024 * 1024, what, cancellationToken).ConfigureAwait(false);
                var pageTags = ParseTags(body, what);
                string? link = NextLink(response);
                if (page > 0 && link is null && pageTags.Count > 0 && tags.Count > 0 && string.CompareOrdinal(pageTags[0], tags[^1]) <= 0)
                {
                    return tags; // the registry ignored "last" and started over: what we have is all
                }

                tags.AddRange(pageTags);
                if (link is not null)
                {
                    next = new Uri(response.RequestMessage!.RequestUri!, link);
                }
                else if (pageSize is int size && size > 0 && pageTags.Count == size)
                {
                    // A full page without Link may still have a successor: ask from the last tag on.
                    next = new Uri(response.RequestMessage!.RequestUri!, $"?n={size}&last={Uri.EscapeDataString(pageTags[^1])}");
                }
                else
                {
                    return tags;
                }
            }

            throw new XpkgException($"{what}: more than {MaxTagPages} pages; giving up");
        }, cancellationToken);
    }

    private static List<string> ParseTags(byte[] body, string what)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (!doc.RootElement.TryGetProperty("tags", out var tags) || tags.ValueKind == JsonValueKind.Null)
            {
                return [];
            }

            return [.. tags.EnumerateArray().Select(t => t.GetString()).OfType<string>()];
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            throw new XpkgException($"{what}: the registry's tag list is not the expected JSON");
        }
    }

    private static string? NextLink(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (string v in values)
        {
            var m = Regex.Match(v, "<([^>]+)>\\s*;\\s*rel=\"?next\"?", RegexOptions.IgnoreCase);
            if (m.Success)
            {
                return m.Groups[1].Value;
            }
        }

        return null;
    }
}
