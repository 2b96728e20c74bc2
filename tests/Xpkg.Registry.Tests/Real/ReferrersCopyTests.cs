using System.Text;
using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Registry.Tests.Support;
using Xpkg.Store;
using Xpkg.Testing;
using Xpkg.Transfer;

namespace Xpkg.Registry.Tests.Real;

/// <summary>
/// Copy with referrers against docker-registry 2.8.2, which has no referrers API: the source lists them under the
/// <c>sha256-&lt;hex&gt;</c> tag (written here by hand, as oras does), and the copy writes that tag at the target.
/// </summary>
[Collection(RealPeersCollection.Name)]
public class ReferrersCopyTests(RealPeers peers)
{
    private const string SbomType = "application/vnd.example.sbom";
    private const string SignatureType = "application/vnd.example.signature";

    [Fact]
    public async Task Copy_with_referrers_brings_the_sbom_and_its_signature_and_writes_the_fallback_tags()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var client = new RegistryClient(TestClients.Options());
        var (source, image, sbom, signature) = await SignedImageAsync(client, plain, "test/referrers-src");
        var target = client.Repository(plain.Authority, "test/referrers-dst");

        var result = await CopyEngine.CopyAsync(source, image, target, new CopyOptions { ReferrersDepth = 8 }, default);
        await target.TagAsync("v1", image, source.Description, default);

        Assert.Equal([sbom.Manifest.Digest, signature.Manifest.Digest], result.Referrers.Select(r => r.Digest));
        Assert.Equal([sbom.Manifest.Digest], (await target.ReferrersAsync(image.Digest, null, default)).Select(r => r.Digest));
        Assert.Equal([signature.Manifest.Digest], (await target.ReferrersAsync(sbom.Manifest.Digest, null, default)).Select(r => r.Digest));
        Assert.True(client.Log.Contains("referrers", "no OCI-Subject from the registry"));

        // skopeo, a real peer, sees the fallback tag as an index listing the SBOM, and the SBOM itself by digest.
        string raw = await Run.ToolAsync("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", $"docker://{plain.Authority}/test/referrers-dst:{RegistryRepository.ReferrersTag(image.Digest)}"]);
        using (var doc = JsonDocument.Parse(raw))
        {
            var entry = Assert.Single(doc.RootElement.GetProperty("manifests").EnumerateArray());
            Assert.Equal(sbom.Manifest.Digest.ToString(), entry.GetProperty("digest").GetString());
            Assert.Equal(SbomType, entry.GetProperty("artifactType").GetString());
        }

        string sbomRaw = await Run.ToolAsync("/usr/bin/skopeo", ["inspect", "--raw", "--tls-verify=false", $"docker://{plain.Authority}/test/referrers-dst@{sbom.Manifest.Digest}"]);
        Assert.Equal(sbom.ManifestBytes, Encoding.UTF8.GetBytes(sbomRaw));

        // A second copy finds everything there and leaves the tags as they are.
        var again = await CopyEngine.CopyAsync(source, image, target, new CopyOptions { ReferrersDepth = 8 }, default);
        Assert.Equal(0, again.BlobsCopied);
        Assert.Equal(2, again.Referrers.Count);
    }

    [Fact]
    public async Task Referrers_depth_bounds_the_recursion_and_without_it_none_are_copied()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var client = new RegistryClient(TestClients.Options());
        var (source, image, sbom, _) = await SignedImageAsync(client, plain, "test/referrers-depth");

        var none = client.Repository(plain.Authority, "test/referrers-none");
        var plainCopy = await CopyEngine.CopyAsync(source, image, none, new CopyOptions(), default);
        Assert.Empty(plainCopy.Referrers);
        Assert.Empty(await none.ReferrersAsync(image.Digest, null, default));

        var one = client.Repository(plain.Authority, "test/referrers-one");
        var shallow = await CopyEngine.CopyAsync(source, image, one, new CopyOptions { ReferrersDepth = 1 }, default);
        Assert.Equal([sbom.Manifest.Digest], shallow.Referrers.Select(r => r.Digest));
        Assert.Empty(await one.ReferrersAsync(sbom.Manifest.Digest, null, default));
    }

    [Fact]
    public async Task Referrers_land_in_the_cache_as_references_of_the_repository()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var client = new RegistryClient(TestClients.Options());
        var (source, image, sbom, signature) = await SignedImageAsync(client, plain, "test/referrers-cache");
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Path);

        using (var transaction = store.BeginTransaction())
        {
            transaction.ReferrersRepository = $"{plain.Authority}/test/referrers-cache";
            await CopyEngine.CopyAsync(source, image, transaction, new CopyOptions { ReferrersDepth = 8 }, default);
            await transaction.TagAsync($"{plain.Authority}/test/referrers-cache:v1", image, source.Description, default);
            await transaction.CommitAsync(default);
        }

        var names = (await store.References.ReadAsync(default)).Select(r => r.Reference).ToList();
        Assert.Contains($"{plain.Authority}/test/referrers-cache@{sbom.Manifest.Digest}", names);
        Assert.Contains($"{plain.Authority}/test/referrers-cache@{signature.Manifest.Digest}", names);
        Assert.True(store.Contains(signature.Blob));

        // Other OCI tools read the cache: skopeo finds the signature in it by digest.
        string raw = await Run.ToolAsync("/usr/bin/skopeo", ["inspect", "--raw", $"oci:{dir.Path}:{plain.Authority}/test/referrers-cache@{signature.Manifest.Digest}"]);
        Assert.Equal(signature.ManifestBytes, Encoding.UTF8.GetBytes(raw));
    }

    [Fact]
    public async Task A_listed_referrer_whose_subject_is_another_manifest_is_refused()
    {
        var plain = peers.Plain ?? throw new InvalidOperationException("docker-registry is not installed");
        using var client = new RegistryClient(TestClients.Options());
        var source = client.Repository(plain.Authority, "test/referrers-lie");
        var image = peers.Image!;
        await image.PushAsync(source, "v1");
        var other = TestImage.Create(1000, seed: 7);
        await other.PushAsync(source, "other");
        await PutFallbackIndexAsync(source, image.Manifest.Digest, other.Manifest);

        var target = client.Repository(plain.Authority, "test/referrers-lie-dst");
        var e = await Assert.ThrowsAsync<DigestMismatchException>(() => CopyEngine.CopyAsync(source, image.Manifest, target, new CopyOptions { ReferrersDepth = 8 }, default));
        Assert.Contains("its subject is absent", e.Message, StringComparison.Ordinal);
        Assert.False(await target.ExistsAsync(other.Manifest, default));
    }

    /// <summary>The reference image with an SBOM attached to it and a signature attached to the SBOM.</summary>
    private async Task<(RegistryRepository Source, Descriptor Image, TestArtifact Sbom, TestArtifact Signature)> SignedImageAsync(RegistryClient client, DistributionRegistry registry, string name)
    {
        var source = client.Repository(registry.Authority, name);
        var image = peers.Image!;
        await image.PushAsync(source, "v1");
        var sbom = TestArtifact.Create(image.Manifest, SbomType, """{"spdxVersion":"SPDX-2.3"}""");
        var signature = TestArtifact.Create(sbom.Manifest, SignatureType, "signed by the test");
        await sbom.PushAsync(source);
        await signature.PushAsync(source);
        await PutFallbackIndexAsync(source, image.Manifest.Digest, sbom.Manifest);
        await PutFallbackIndexAsync(source, sbom.Manifest.Digest, signature.Manifest);
        return (source, image.Manifest, sbom, signature);
    }

    private static async Task PutFallbackIndexAsync(RegistryRepository repo, Digest subject, Descriptor referrer)
    {
        byte[] index = Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{TestImage.Json(referrer)}}]}""");
        await repo.PutManifestAsync(RegistryRepository.ReferrersTag(subject), Descriptor.For(MediaTypes.OciIndex, index), index, default);
    }
}
