using System.Text;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Tests.Support;

namespace Xpkg.Registry.Tests.Fake;

public class AuthAndPushTests
{
    private const string Repo = "test/app";
    private static readonly byte[] Index = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();

    [Fact]
    public async Task Bearer_token_with_credentials_tries_oauth_post_then_get_and_is_cached()
    {
        var tokenRequests = new List<FakeRequest>();
        await using var tokens = new FakeRegistry(r =>
        {
            lock (tokenRequests)
            {
                tokenRequests.Add(r);
            }

            return r.Method == "POST" ? FakeResponse.Json("{}", 404) : FakeResponse.Json("""{"token":"tok-1","expires_in":300}""");
        });
        await using var registry = new FakeRegistry(r => r.Header("Authorization") == "Bearer tok-1"
            ? new FakeResponse { Body = Index, Headers = { ["Content-Type"] = MediaTypes.OciIndex } }
            : new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = $"Bearer realm=\"http://{tokens.Authority}/token\",service=\"fake\",scope=\"repository:{Repo}:pull\"" } });
        var creds = new StaticCredentialProvider().Add(registry.Authority, new Credential("alice", "pw-alice", source: "test"));
        var options = TestClients.Options(creds);
        using var client = new RegistryClient(options);
        var repo = client.Repository(registry.Authority, Repo);
        await repo.GetManifestAsync("v1", default);
        await repo.GetManifestAsync("v2", default);

        Assert.Equal(["POST", "GET"], tokenRequests.Select(r => r.Method));
        Assert.Contains("grant_type=password", Encoding.UTF8.GetString(tokenRequests[0].Body), StringComparison.Ordinal);
        Assert.Contains("scope=repository%3Atest%2Fapp%3Apull", tokenRequests[1].Query, StringComparison.Ordinal);
        Assert.Contains("service=fake", tokenRequests[1].Query, StringComparison.Ordinal);
        Assert.Equal("Basic " + Convert.ToBase64String("alice:pw-alice"u8.ToArray()), tokenRequests[1].Header("Authorization"));
        // One 401 and then two authorised requests: the second manifest used the cached token straight away.
        Assert.Equal(3, registry.Requests.Count);
        Assert.DoesNotContain(options.Log.Events, e => e.Message.Contains("pw-alice", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Anonymous_bearer_token_uses_get_without_credentials()
    {
        var tokenRequests = new List<FakeRequest>();
        await using var tokens = new FakeRegistry(r =>
        {
            tokenRequests.Add(r);
            return FakeResponse.Json("""{"access_token":"anon"}""");
        });
        await using var registry = new FakeRegistry(r => r.Header("Authorization") == "Bearer anon"
            ? new FakeResponse { Body = Index, Headers = { ["Content-Type"] = MediaTypes.OciIndex } }
            : new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = $"Bearer realm=\"http://{tokens.Authority}/token\",service=\"fake\"" } });
        using var client = new RegistryClient(TestClients.Options());
        await client.Repository(registry.Authority, Repo).GetManifestAsync("v1", default);
        var t = Assert.Single(tokenRequests);
        Assert.Equal("GET", t.Method);
        Assert.Null(t.Header("Authorization"));
    }

    [Fact]
    public async Task Unauthorized_without_and_with_credentials_give_different_hints()
    {
        await using var registry = new FakeRegistry(r => new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = "Basic realm=\"test-realm\"" } });
        using (var anonymous = new RegistryClient(TestClients.Options()))
        {
            var e = await Assert.ThrowsAsync<RegistryResponseException>(() => anonymous.Repository(registry.Authority, Repo).GetManifestAsync("v1", default));
            Assert.Contains("requires authentication", e.Message, StringComparison.Ordinal);
            Assert.Contains("docker login", e.Hint, StringComparison.Ordinal);
        }

        var creds = new StaticCredentialProvider().Add(registry.Authority, new Credential("bob", "wrong-pw", source: "test"));
        using var withCreds = new RegistryClient(TestClients.Options(creds));
        var rejected = await Assert.ThrowsAsync<RegistryResponseException>(() => withCreds.Repository(registry.Authority, Repo).GetManifestAsync("v1", default));
        Assert.Contains("rejected the credentials", rejected.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-pw", rejected.Message + rejected.Hint, StringComparison.Ordinal);
        Assert.Contains(registry.Requests, r => r.Header("Authorization")?.StartsWith("Basic ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Redirect_to_another_host_drops_authorization()
    {
        var (desc, data) = TestClients.Blob(5000);
        await using var storage = new FakeRegistry(r => new FakeResponse { Body = data });
        await using var registry = new FakeRegistry(r => r.Header("Authorization") is null
            ? new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = "Basic realm=\"r\"" } }
            : new FakeResponse { Status = 307, Headers = { ["Location"] = $"http://localhost:{storage.Port}/blob?sig=1" } });
        var creds = new StaticCredentialProvider().Add(registry.Authority, new Credential("u", "p", source: "test"));
        var options = TestClients.Options(creds);
        using var client = new RegistryClient(options);
        await using var stream = await client.Repository(registry.Authority, Repo).OpenAsync(desc, default);
        Assert.Equal(data, await TestClients.ReadAllAsync(stream));
        var redirected = Assert.Single(storage.Requests, r => r.Method == "GET");
        Assert.Null(redirected.Header("Authorization"));
        Assert.Equal("/blob?sig=1", redirected.Target);
        Assert.True(options.Log.Contains("redirect", "no Authorization sent"));
    }

    [Fact]
    public async Task Mount_asks_for_a_token_covering_pull_on_the_source()
    {
        var scopesAsked = new List<string>();
        await using var tokens = new FakeRegistry(r =>
        {
            scopesAsked.Add(Uri.UnescapeDataString(r.Query));
            return FakeResponse.Json("""{"token":"t"}""");
        });
        var (desc, _) = TestClients.Blob(10);
        await using var registry = new FakeRegistry(r =>
        {
            if (r.Header("Authorization") is null)
            {
                return new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = $"Bearer realm=\"http://{tokens.Authority}/t\",service=\"s\",scope=\"repository:{Repo}:pull,push\"" } };
            }

            return r.Method == "POST" && r.Query.Contains("mount=", StringComparison.Ordinal)
                ? new FakeResponse { Status = 201, Headers = { ["Location"] = $"/v2/{Repo}/blobs/{desc.Digest}" } }
                : new FakeResponse { Status = 404 };
        });
        using var client = new RegistryClient(TestClients.Options());
        var repo = client.Repository(registry.Authority, Repo);
        repo.MountSources.Add("other/base");
        await repo.WriteAsync(desc, new MemoryStream(new byte[10]), default);
        Assert.Contains(scopesAsked, q => q.Contains("scope=repository:other/base:pull", StringComparison.Ordinal) && q.Contains($"scope=repository:{Repo}:pull,push", StringComparison.Ordinal));
        Assert.Contains(registry.Requests, r => r.Query.Contains("from=other%2Fbase", StringComparison.Ordinal));
        Assert.DoesNotContain(registry.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task Chunked_upload_honours_oci_chunk_min_length_and_manifest_put_is_byte_exact()
    {
        var (desc, data) = TestClients.Blob(2500);
        var received = new MemoryStream();
        await using var registry = new FakeRegistry(r =>
        {
            switch (r.Method)
            {
                case "HEAD":
                    return new FakeResponse { Status = 404 };
                case "POST":
                    return new FakeResponse { Status = 202, Headers = { ["Location"] = $"/v2/{Repo}/blobs/uploads/abc?_state=x", ["OCI-Chunk-Min-Length"] = "1000" } };
                case "PATCH":
                    lock (received)
                    {
                        received.Write(r.Body);
                        return new FakeResponse { Status = 202, Headers = { ["Location"] = $"/v2/{Repo}/blobs/uploads/abc?_state=y{received.Length}", ["Range"] = $"0-{received.Length - 1}" } };
                    }

                default:
                    return new FakeResponse { Status = 201, Headers = { ["Docker-Content-Digest"] = r.Path.Contains("/manifests/", StringComparison.Ordinal) ? Digest.Compute(r.Body).ToString() : desc.Digest.ToString() } };
            }
        });
        using var client = new RegistryClient(TestClients.Options() with { ChunkSize = 100 });
        var repo = client.Repository(registry.Authority, Repo);
        await repo.WriteAsync(desc, new MemoryStream(data), default);
        var patches = registry.Requests.Where(r => r.Method == "PATCH").ToList();
        Assert.Equal(["0-999", "1000-1999", "2000-2499"], patches.Select(p => p.Header("Content-Range")));
        Assert.Equal(data, received.ToArray());
        var put = Assert.Single(registry.Requests, r => r.Method == "PUT");
        Assert.Contains("_state=y2500", put.Query, StringComparison.Ordinal);
        Assert.Contains("digest=" + Uri.EscapeDataString(desc.Digest.ToString()), put.Query, StringComparison.Ordinal);

        // A manifest goes up as exactly its bytes with its media type, by digest, then under the tag.
        byte[] manifest = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,  \"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}\n");
        var md = Descriptor.For(MediaTypes.OciIndex, manifest);
        await repo.WriteAsync(md, new MemoryStream(manifest), default);
        await repo.TagAsync("v1", md, "test", default);
        await repo.TagAsync(md.Digest.ToString(), md, "test", default); // a digest is no tag: nothing more to PUT
        await repo.TagAsync($"{registry.Authority}/{Repo}@{md.Digest}", md, "test", default);
        var manifestPuts = registry.Requests.Where(r => r.Method == "PUT" && r.Path.Contains("/manifests/", StringComparison.Ordinal)).ToList();
        Assert.Equal([$"/v2/{Repo}/manifests/{md.Digest}", $"/v2/{Repo}/manifests/v1"], manifestPuts.Select(r => r.Path));
        Assert.All(manifestPuts, r => Assert.Equal(manifest, r.Body));
        Assert.All(manifestPuts, r => Assert.Equal(MediaTypes.OciIndex, r.Header("Content-Type")));
    }

    [Fact]
    public async Task Monolithic_upload_puts_exact_bytes_after_a_head_check()
    {
        var (present, _) = TestClients.Blob(100, seed: 5);
        var (missing, data) = TestClients.Blob(100, seed: 6);
        await using var registry = new FakeRegistry(r => r.Method switch
        {
            "HEAD" => r.Path.EndsWith(present.Digest.ToString(), StringComparison.Ordinal)
                ? new FakeResponse { Status = 200, Headers = { ["Content-Length"] = "100" } }
                : new FakeResponse { Status = 404 },
            "POST" => new FakeResponse { Status = 202, Headers = { ["Location"] = $"http://{r.Header("Host")}/v2/{Repo}/blobs/uploads/u1?_state=s" } },
            _ => new FakeResponse { Status = 201 },
        });
        using var client = new RegistryClient(TestClients.Options());
        var repo = client.Repository(registry.Authority, Repo);
        Assert.True(await repo.ExistsAsync(present, default));
        Assert.False(await repo.ExistsAsync(missing, default));
        await repo.WriteAsync(missing, new NonSeekable(data), default);
        var put = Assert.Single(registry.Requests, r => r.Method == "PUT");
        Assert.Equal(data, put.Body);
        Assert.Equal("application/octet-stream", put.Header("Content-Type"));
        Assert.Contains("_state=s&digest=", put.Query, StringComparison.Ordinal);
        Assert.Single(registry.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Identity_token_is_exchanged_with_the_refresh_token_grant()
    {
        var bodies = new List<string>();
        await using var tokens = new FakeRegistry(r =>
        {
            bodies.Add(r.Method + " " + Encoding.UTF8.GetString(r.Body));
            return FakeResponse.Json("""{"access_token":"from-refresh","expires_in":120}""");
        });
        await using var registry = new FakeRegistry(r => r.Header("Authorization") == "Bearer from-refresh"
            ? new FakeResponse { Body = Index, Headers = { ["Content-Type"] = MediaTypes.OciIndex } }
            : new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = $"Bearer realm=\"http://{tokens.Authority}/token\",service=\"svc\"" } });
        var creds = new StaticCredentialProvider().Add(registry.Authority, new Credential(null, null, identityToken: "refresh-xyz", source: "test"));
        using var client = new RegistryClient(TestClients.Options(creds));
        await client.Repository(registry.Authority, Repo).GetManifestAsync("v1", default);
        string post = Assert.Single(bodies);
        Assert.StartsWith("POST ", post, StringComparison.Ordinal);
        Assert.Contains("grant_type=refresh_token", post, StringComparison.Ordinal);
        Assert.Contains("refresh_token=refresh-xyz", post, StringComparison.Ordinal);
        Assert.Contains("service=svc", post, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_second_challenge_for_a_wider_scope_gets_a_wider_token_and_warnings_are_noted_once()
    {
        await using var tokens = new FakeRegistry(r => FakeResponse.Json(
            Uri.UnescapeDataString(r.Query).Contains("repository:extra/repo:pull", StringComparison.Ordinal) ? """{"token":"wide"}""" : """{"token":"narrow"}"""));
        string challenge(string scope) => $"Bearer realm=\"http://{tokens.Authority}/t\",service=\"s\",scope=\"{scope}\"";
        await using var registry = new FakeRegistry(r => r.Header("Authorization") switch
        {
            "Bearer wide" => new FakeResponse { Body = Index, Headers = { ["Content-Type"] = MediaTypes.OciIndex, ["Warning"] = "299 - \"this repository is deprecated\"" } },
            "Bearer narrow" => new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = challenge($"repository:{Repo}:pull repository:extra/repo:pull") } },
            _ => new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = challenge($"repository:{Repo}:pull") } },
        });
        var options = TestClients.Options();
        using var client = new RegistryClient(options);
        await client.Repository(registry.Authority, Repo).GetManifestAsync("v1", default);
        await client.Repository(registry.Authority, Repo).GetManifestAsync("v2", default);
        Assert.Equal(["", "Bearer narrow", "Bearer wide", "Bearer wide"], registry.Requests.Select(r => r.Header("Authorization") ?? ""));
        Assert.Single(options.Log.Events, e => e.Topic == "warning" && e.Message.EndsWith("this repository is deprecated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Chunk_refused_with_416_is_resent_from_where_the_registry_stands()
    {
        var (desc, data) = TestClients.Blob(2500, seed: 3);
        var received = new MemoryStream();
        int patches = 0;
        await using var registry = new FakeRegistry(r =>
        {
            lock (received)
            {
                switch (r.Method)
                {
                    case "POST":
                        return new FakeResponse { Status = 202, Headers = { ["Location"] = $"/v2/{Repo}/blobs/uploads/u" } };
                    case "GET":
                        return new FakeResponse { Status = 204, Headers = { ["Location"] = $"/v2/{Repo}/blobs/uploads/u?after=status", ["Range"] = $"0-{received.Length - 1}" } };
                    case "PATCH" when ++patches == 2:
                        return new FakeResponse { Status = 416 };
                    case "PATCH":
                        received.Write(r.Body);
                        return new FakeResponse { Status = 202, Headers = { ["Location"] = $"/v2/{Repo}/blobs/uploads/u", ["Range"] = $"0-{received.Length - 1}" } };
                    default:
                        return new FakeResponse { Status = 201 };
                }
            }
        });
        var options = TestClients.Options() with { ChunkSize = 1000 };
        using var client = new RegistryClient(options);
        await client.Repository(registry.Authority, Repo).UploadBlobAsync(desc, new MemoryStream(data), default);
        Assert.Equal(data, received.ToArray());
        Assert.Equal(["0-999", "1000-1999", "1000-1999", "2000-2499"], registry.Requests.Where(r => r.Method == "PATCH").Select(r => r.Header("Content-Range")));
        Assert.Contains("after=status", registry.Requests.Where(r => r.Method == "PATCH").ElementAt(2).Query, StringComparison.Ordinal);
        Assert.True(options.Log.Contains("push", "the registry has 1000 bytes"));
    }

    private sealed class NonSeekable(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;
    }
}
