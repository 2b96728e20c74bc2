using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Hosts;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Real;

[Collection(RealPeersCollection.Name)]
public class DistributionInteropTests(RealPeers peers)
{
    private DistributionRegistry Plain => peers.Plain ?? throw new InvalidOperationException("docker-registry, skopeo and htpasswd must be installed (apt-get install docker-registry skopeo apache2-utils)");

    [Fact]
    public async Task Image_pushed_by_skopeo_is_fetched_with_the_same_digests()
    {
        var image = peers.Image!;
        var options = TestClients.Options();
        using var client = new RegistryClient(options);
        var reference = ImageReference.Parse($"{Plain.Authority}/test/skopeo:v1");
        var root = await client.ResolveAsync(reference, default);
        Assert.Equal(image.Manifest.Digest, root.Digest);
        Assert.Equal(MediaTypes.OciManifest, root.MediaType);

        var repo = client.Repository(reference);
        var manifest = await repo.GetManifestAsync("v1", default);
        Assert.Equal(image.ManifestBytes, manifest.Bytes.ToArray());
        foreach (var (d, bytes) in image.Blobs)
        {
            await using var s = await repo.OpenAsync(d, default);
            Assert.Equal(bytes, await TestClients.ReadAllAsync(s));
        }

        Assert.Contains("v1", await repo.ListTagsAsync(null, default));
        Assert.True(options.Log.Contains("fallback", "using plain HTTP (loopback host)"));
    }

    [Fact]
    public async Task Image_pushed_by_the_client_is_inspected_by_skopeo_with_the_same_digest()
    {
        var image = TestImage.Create(150_000, seed: 7);
        using var client = new RegistryClient(TestClients.Options());
        await image.PushAsync(client.Repository(Plain.Authority, "test/pushed"), "v1");

        // Chunked this time, and the layer mounted from the first repository.
        using var chunked = new RegistryClient(TestClients.Options() with { ChunkSize = 64 * 1024 });
        var other = chunked.Repository(Plain.Authority, "test/pushed-chunked");
        await other.UploadBlobAsync(image.Config, new MemoryStream(image.ConfigBytes), default);
        var bigger = TestImage.Create(300_000, seed: 8);
        await other.UploadBlobAsync(bigger.Layer, new MemoryStream(bigger.LayerBytes), default);
        other.MountSources.Add("test/pushed");
        await other.WriteAsync(image.Layer, new MemoryStream(image.LayerBytes), default);
        Assert.True(chunked.Log.Contains("push", "mounted"));
        Assert.True(chunked.Log.Contains("push", "chunks of 65536"));
        await other.WriteAsync(image.Manifest, new MemoryStream(image.ManifestBytes), default);
        await other.TagAsync("v2", image.Manifest, "test", default);

        foreach (string r in new[] { "test/pushed:v1", "test/pushed-chunked:v2" })
        {
            string json = await Run.ToolAsync("/usr/bin/skopeo", ["inspect", "--tls-verify=false", $"docker://{Plain.Authority}/{r}"]);
            using var doc = JsonDocument.Parse(json);
            Assert.Equal(image.Manifest.Digest.ToString(), doc.RootElement.GetProperty("Digest").GetString());
        }

        Assert.True(await chunked.Repository(Plain.Authority, "test/pushed-chunked").ExistsAsync(bigger.Layer, default));
    }

    [Fact]
    public async Task Tls_registry_with_htpasswd_needs_the_ca_and_the_credentials()
    {
        var secure = peers.Secure!;
        var creds = new StaticCredentialProvider().Add(secure.Authority, new Credential(RealPeers.User, RealPeers.Password, source: "test"));
        var image = TestImage.Create(20_000, seed: 9);
        var withCa = new RegistryHostOptions { CaFiles = [peers.Certificates!.CaFile] };

        var options = TestClients.Options(creds, withCa);
        using (var client = new RegistryClient(options))
        {
            await image.PushAsync(client.Repository(secure.Authority, "test/secure"), "v1");
            Assert.Equal(image.Manifest.Digest, (await client.ResolveAsync(ImageReference.Parse($"{secure.Authority}/test/secure:v1"), default)).Digest);
        }

        Assert.True(options.Log.Contains("auth", "Basic"));
        Assert.DoesNotContain(options.Log.Events, e => e.Message.Contains(RealPeers.Password, StringComparison.Ordinal));
        Assert.False(options.Log.Contains("fallback", "plain HTTP"));

        using (var anonymous = new RegistryClient(TestClients.Options(hosts: withCa)))
        {
            var e = await Assert.ThrowsAsync<RegistryResponseException>(() => anonymous.ResolveAsync(ImageReference.Parse($"{secure.Authority}/test/secure:v1"), default));
            Assert.Contains("requires authentication", e.Message, StringComparison.Ordinal);
        }

        var wrong = new StaticCredentialProvider().Add(secure.Authority, new Credential(RealPeers.User, "not-the-password", source: "test"));
        using (var rejected = new RegistryClient(TestClients.Options(wrong, withCa)))
        {
            var e = await Assert.ThrowsAsync<RegistryResponseException>(() => rejected.ResolveAsync(ImageReference.Parse($"{secure.Authority}/test/secure:v1"), default));
            Assert.Contains("rejected the credentials", e.Message, StringComparison.Ordinal);
        }

        using (var noCa = new RegistryClient(TestClients.Options(creds, maxAttempts: 1)))
        {
            var e = await Assert.ThrowsAsync<RegistryConnectionException>(() => noCa.ResolveAsync(ImageReference.Parse($"{secure.Authority}/test/secure:v1"), default));
            Assert.Contains("certificate", e.Message, StringComparison.Ordinal);
            Assert.Contains("--ca-file", e.Hint, StringComparison.Ordinal);
            Assert.Contains($"[host.\"https://{secure.Authority}\"]", e.Hint, StringComparison.Ordinal);
        }

        // The same CA from a hosts.toml, and from a Docker-style certs.d directory.
        using var dir = new TempDir();
        dir.Write($"certs.d/127.0.0.1_{secure.Port}_/hosts.toml", $"server = \"https://{secure.Authority}\"\nca = \"{peers.Certificates.CaFile}\"\n");
        File.Copy(peers.Certificates.CaFile, Path.Combine(dir.Sub($"docker.d/{secure.Authority}"), "ca.crt"));
        foreach (string hostsDir in new[] { "certs.d", "docker.d" })
        {
            using var client = new RegistryClient(TestClients.Options(creds, new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, hostsDir) }));
            Assert.Equal(image.Manifest.Digest, (await client.ResolveAsync(ImageReference.Parse($"{secure.Authority}/test/secure:v1"), default)).Digest);
        }
    }

    [Fact]
    public async Task Pull_through_proxy_mirror_answers_and_a_dead_mirror_falls_through()
    {
        var proxy = peers.Proxy!;
        int deadPort = DistributionRegistry.FreePort();
        using var dir = new TempDir();
        dir.Write($"certs.d/127.0.0.1_{Plain.Port}_/hosts.toml", $"""
            server = "http://{Plain.Authority}"
            [host."http://127.0.0.1:{deadPort}"]
              capabilities = ["pull", "resolve"]
            [host."http://{proxy.Authority}"]
              capabilities = ["pull", "resolve"]
            """);
        var options = TestClients.Options(hosts: new RegistryHostOptions { HostsDir = Path.Combine(dir.Path, "certs.d") }, maxAttempts: 1);
        using var client = new RegistryClient(options);
        var reference = ImageReference.Parse($"{Plain.Authority}/test/skopeo:v1");
        var root = await client.ResolveAsync(reference, default);
        Assert.Equal(peers.Image!.Manifest.Digest, root.Digest);
        await using (var s = await client.Repository(reference).OpenAsync(peers.Image.Layer, default))
        {
            Assert.Equal(peers.Image.LayerBytes, await TestClients.ReadAllAsync(s));
        }

        Assert.True(options.Log.Contains("fallback", $"http://127.0.0.1:{deadPort}/v2 failed (connection refused"));
        Assert.True(options.Log.Contains("answer", $"answered by http://{proxy.Authority}/v2 (mirror)"));
        Assert.False(options.Log.Contains("answer", $"answered by http://{Plain.Authority}/v2"));
        Assert.Contains("/v2/test/skopeo/manifests/v1", File.ReadAllText(proxy.LogFile), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Legacy_cri_mirror_snippet_reaches_a_plain_http_registry_by_name()
    {
        using var dir = new TempDir();
        string host = $"local-registry:{Plain.Port}";
        string config = dir.Write("config.toml", $"""
            [plugins."io.containerd.grpc.v1.cri".registry.mirrors."{host}"]
              endpoint = ["http://{host}"]
            """);
        var options = TestClients.Options(hosts: new RegistryHostOptions { RegistryConfigFile = config });
        using var client = new RegistryClient(options);
        var root = await client.ResolveAsync(ImageReference.Parse($"{host}/test/skopeo:v1"), default);
        Assert.Equal(peers.Image!.Manifest.Digest, root.Digest);
        Assert.True(options.Log.Contains("endpoint", $"mirrors.\"{host}\""));
        Assert.False(options.Log.Contains("fallback", "TLS handshake failed"));
    }

    [Fact]
    public async Task Referrers_fall_back_to_the_digest_tag_on_distribution()
    {
        var image = peers.Image!;
        using var client = new RegistryClient(TestClients.Options());
        var repo = client.Repository(Plain.Authority, "test/skopeo");
        byte[] empty = "{}"u8.ToArray();
        var emptyDesc = Descriptor.For(MediaTypes.OciEmpty, empty);
        await repo.WriteAsync(emptyDesc, new MemoryStream(empty), default);
        byte[] artifact = System.Text.Encoding.UTF8.GetBytes(
            $$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciManifest}}","artifactType":"application/vnd.test.sig","config":{{TestImage.Json(emptyDesc)}},"layers":[{{TestImage.Json(emptyDesc)}}],"subject":{{TestImage.Json(image.Manifest)}}}""");
        var artifactDesc = Descriptor.For(MediaTypes.OciManifest, artifact) with { ArtifactType = "application/vnd.test.sig" };
        await repo.WriteAsync(artifactDesc, new MemoryStream(artifact), default);
        byte[] index = System.Text.Encoding.UTF8.GetBytes($$"""{"schemaVersion":2,"mediaType":"{{MediaTypes.OciIndex}}","manifests":[{{TestImage.Json(artifactDesc)}}]}""");
        var indexDesc = Descriptor.For(MediaTypes.OciIndex, index);
        await repo.WriteAsync(indexDesc, new MemoryStream(index), default);
        await repo.TagAsync(RegistryRepository.ReferrersTag(image.Manifest.Digest), indexDesc, "test", default);

        var referrers = await repo.ReferrersAsync(image.Manifest.Digest, "application/vnd.test.sig", default);
        Assert.Equal(artifactDesc.Digest, Assert.Single(referrers).Digest);
    }
}
