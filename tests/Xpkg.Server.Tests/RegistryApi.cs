using System.Net;
using System.Net.Http.Headers;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>Thin helpers over HttpClient for the registry calls the tests make again and again.</summary>
public sealed class RegistryApi(HttpClient client)
{
    public HttpClient Client => client;

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, byte[]? body = null, string? contentType = "application/octet-stream", Action<HttpRequestMessage>? configure = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (contentType is not null)
            {
                request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
            }
        }

        configure?.Invoke(request);
        return client.SendAsync(request);
    }

    /// <summary>POST then PUT: the monolithic upload. Returns the PUT response.</summary>
    public async Task<HttpResponseMessage> PushBlobAsync(string name, byte[] content)
    {
        using var post = await SendAsync(HttpMethod.Post, $"/v2/{name}/blobs/uploads/");
        Assert.Equal(HttpStatusCode.Accepted, post.StatusCode);
        return await SendAsync(HttpMethod.Put, WithDigest(Location(post), Digest.Compute(content)), content);
    }

    public Task<HttpResponseMessage> PutManifestAsync(string name, string reference, byte[] manifest, string mediaType = MediaTypes.OciManifest)
        => SendAsync(HttpMethod.Put, $"/v2/{name}/manifests/{reference}", manifest, mediaType);

    public async Task PushImageAsync(string name, string reference, byte[] config, byte[] layer, byte[] manifest)
    {
        foreach (var blob in new[] { config, layer })
        {
            using var put = await PushBlobAsync(name, blob);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        using var response = await PutManifestAsync(name, reference, manifest);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
    }

    public static string Location(HttpResponseMessage response)
        => response.Headers.Location?.OriginalString ?? throw new Xunit.Sdk.XunitException($"no Location in {(int)response.StatusCode} response");

    public static string WithDigest(string location, Digest digest)
        => location + (location.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "digest=" + Uri.EscapeDataString(digest.ToString());

    public static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var v) ? v.First()
            : response.Content.Headers.TryGetValues(name, out var c) ? c.First() : null;
}
