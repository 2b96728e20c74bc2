using System.Net;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>Conformance "Content Discovery" workflow (checks D1–D3, R1–R4 of oci-registries.md §10.3).</summary>
public sealed class ContentDiscoveryTests(ContentDiscoveryTests.Setup setup) : IClassFixture<ContentDiscoveryTests.Setup>
{
    private const string Name = "conformance/discovery";
    private readonly RegistryApi _api = setup.Api;
    private readonly ConformanceData _data = setup.Data;

    public sealed class Setup : ConformanceRegistry
    {
        public ConformanceData Data { get; } = new();

        /// <summary>The <c>OCI-Subject</c> each referrer push answered with, by manifest digest.</summary>
        public Dictionary<Digest, string?> SubjectHeaders { get; } = [];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            foreach (var blob in new[] { Data.Configs[2], Data.Configs[4], Data.Layer }.Concat(Data.ReferrerBlobs))
            {
                using var put = await Api.PushBlobAsync(Name, blob);
                Assert.Equal(HttpStatusCode.Created, put.StatusCode);
            }

            for (int i = 0; i < 4; i++)
            {
                using var tag = await Api.PutManifestAsync(Name, "test" + i, Data.Manifests[2]);
                Assert.Equal(HttpStatusCode.Created, tag.StatusCode);
            }

            // The A set goes in before its subject exists, the B set after it: both must be found.
            await PushReferrerAsync(Data.ReferrerAConfig, MediaTypes.OciManifest);
            await PushReferrerAsync(Data.ReferrerALayer, MediaTypes.OciManifest);
            await PushReferrerAsync(Data.ReferrerIndex, MediaTypes.OciIndex);
            using (var subject = await Api.PutManifestAsync(Name, ConformanceData.DigestOf(Data.Manifests[4]).ToString(), Data.Manifests[4]))
            {
                Assert.Equal(HttpStatusCode.Created, subject.StatusCode);
            }

            await PushReferrerAsync(Data.ReferrerBConfig, MediaTypes.OciManifest);
            await PushReferrerAsync(Data.ReferrerBLayer, MediaTypes.OciManifest);
            await PushReferrerAsync(Data.ReferrerC, MediaTypes.OciManifest);
        }

        private async Task PushReferrerAsync(byte[] manifest, string mediaType)
        {
            var digest = ConformanceData.DigestOf(manifest);
            using var r = await Api.PutManifestAsync(Name, digest.ToString(), manifest, mediaType);
            Assert.Equal(HttpStatusCode.Created, r.StatusCode);
            SubjectHeaders[digest] = RegistryApi.Header(r, "OCI-Subject");
        }
    }

    [Fact]
    public void Setup_ReferrerPushes_AnswerOciSubject()
    {
        string subject4 = ConformanceData.DigestOf(_data.Manifests[4]).ToString();
        foreach (var referrer in new[] { _data.ReferrerAConfig, _data.ReferrerALayer, _data.ReferrerIndex, _data.ReferrerBConfig, _data.ReferrerBLayer })
        {
            Assert.Equal(subject4, setup.SubjectHeaders[ConformanceData.DigestOf(referrer)]);
        }

        Assert.Equal(ConformanceData.DigestOf(_data.Manifests[3]).ToString(), setup.SubjectHeaders[ConformanceData.DigestOf(_data.ReferrerC)]);
    }

    [Fact]
    public async Task D1_D2_TagList_AndExactlyN()
    {
        var all = await TagsAsync($"/v2/{Name}/tags/list");
        Assert.Equal(["test0", "test1", "test2", "test3"], all.Tags);
        int n = all.Tags.Count / 2;
        var page = await TagsAsync($"/v2/{Name}/tags/list?n={n}");
        Assert.Equal(n, page.Tags.Count);
        Assert.Equal($"</v2/{Name}/tags/list?n={n}&last=test1>; rel=\"next\"", page.Link);
    }

    [Fact]
    public async Task D3_TagList_LastStartsStrictlyAfter_AndLinkIsFollowable()
    {
        var first = await TagsAsync($"/v2/{Name}/tags/list?n=1");
        Assert.Equal(["test0"], first.Tags);
        var rest = await TagsAsync($"/v2/{Name}/tags/list?n=1&last=test0");
        Assert.Equal(["test1"], rest.Tags);

        var collected = new List<string>();
        string? next = $"/v2/{Name}/tags/list?n=3";
        while (next is not null)
        {
            var page = await TagsAsync(next);
            collected.AddRange(page.Tags);
            next = page.Link?[1..page.Link.IndexOf('>', StringComparison.Ordinal)];
        }

        Assert.Equal(["test0", "test1", "test2", "test3"], collected);
        Assert.Empty((await TagsAsync($"/v2/{Name}/tags/list?n=0")).Tags);
        Assert.Equal(["test2", "test3"], (await TagsAsync($"/v2/{Name}/tags/list?last=test1")).Tags);
    }

    [Fact]
    public async Task R1_ReferrersOfUnknownDigest_IsEmptyIndex()
    {
        var index = await ReferrersAsync(ConformanceData.DummyDigest, null);
        Assert.Empty(index.Manifests);
    }

    [Fact]
    public async Task R2_ReferrersOfSubject_ListsAllFiveWithAnnotations()
    {
        var index = await ReferrersAsync(ConformanceData.DigestOf(_data.Manifests[4]), null);
        Assert.Equal(5, index.Manifests.Count);
        Assert.Equal(5, index.Manifests.Select(m => m.Digest).Distinct().Count());
        var annotations = index.Manifests.Select(m => Assert.Single(m.Annotations!)).ToList();
        Assert.All(annotations, a => Assert.Equal(ConformanceData.AnnotationKey, a.Key));
        Assert.Equal(["A-config", "A-layer", "B-config", "B-layer", "index"], annotations.Select(a => a.Value).Order(StringComparer.Ordinal));
        var byAnnotation = index.Manifests.ToDictionary(m => m.Annotations![ConformanceData.AnnotationKey]);
        Assert.Equal(ConformanceData.ArtifactTypeA, byAnnotation["A-config"].ArtifactType);
        Assert.Equal(ConformanceData.ArtifactTypeIndex, byAnnotation["index"].ArtifactType);
        Assert.Equal(MediaTypes.OciIndex, byAnnotation["index"].MediaType);
        Assert.Equal(_data.ReferrerIndex.Length, byAnnotation["index"].Size);
    }

    [Fact]
    public async Task R3_ReferrersFilteredByArtifactType()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/referrers/{ConformanceData.DigestOf(_data.Manifests[4])}?artifactType={Uri.EscapeDataString(ConformanceData.ArtifactTypeA)}");
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("artifactType", RegistryApi.Header(r, "OCI-Filters-Applied"));
        var index = Parse(await r.Content.ReadAsByteArrayAsync());
        Assert.Equal(2, index.Manifests.Count);
        Assert.All(index.Manifests, m => Assert.Equal(ConformanceData.ArtifactTypeA, m.ArtifactType));
    }

    [Fact]
    public async Task R4_ReferrersOfUnpushedSubject_ListsOnlyC()
    {
        var index = await ReferrersAsync(ConformanceData.DigestOf(_data.Manifests[3]), null);
        var only = Assert.Single(index.Manifests);
        Assert.Equal(ConformanceData.DigestOf(_data.ReferrerC), only.Digest);
    }

    [Fact]
    public async Task Referrers_InvalidDigest_Is400()
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/referrers/sha256:nope");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }

    private async Task<OciIndexDocument> ReferrersAsync(Digest digest, string? artifactType)
    {
        using var r = await _api.SendAsync(HttpMethod.Get, $"/v2/{Name}/referrers/{digest}" + (artifactType is null ? "" : "?artifactType=" + artifactType));
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal(MediaTypes.OciIndex, r.Content.Headers.ContentType?.MediaType);
        return Parse(await r.Content.ReadAsByteArrayAsync());
    }

    private static OciIndexDocument Parse(byte[] body) => JsonSerializer.Deserialize(body, OciJsonContext.Default.OciIndexDocument)!;

    private async Task<(List<string> Tags, string? Link)> TagsAsync(string url)
    {
        using var r = await _api.SendAsync(HttpMethod.Get, url);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal(Name, doc.RootElement.GetProperty("name").GetString());
        var tags = doc.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
        return (tags, RegistryApi.Header(r, "Link"));
    }
}
