using System.Text;
using Xpkg.Oci;
using Xpkg.Registry.Auth;
using Xpkg.Registry.Tests.Support;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Fake;

/// <summary>
/// Bearer tokens with a login for <c>host/team</c> and another for the bare host: an in-process token service,
/// because no Debian package serves distribution's token protocol. The Basic path is tested against the real
/// docker-registry in <c>Real/RepositoryLoginTests</c>.
/// </summary>
public class PerRepositoryLoginTests
{
    private static readonly byte[] Index = """{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}"""u8.ToArray();

    [Fact]
    public async Task Each_repository_gets_a_token_for_its_own_login_and_no_other()
    {
        var issued = new List<(string User, string Scope)>();
        await using var tokens = new FakeRegistry(r =>
        {
            if (r.Method == "POST")
            {
                return FakeResponse.Json("{}", 404); // no OAuth2 form here: the client falls back to GET
            }

            string basic = r.Header("Authorization") is { } h && h.StartsWith("Basic ", StringComparison.Ordinal)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(h[6..])) : "anonymous:";
            string user = basic[..basic.IndexOf(':', StringComparison.Ordinal)];
            string scope = Uri.UnescapeDataString(r.Query.Split('&').First(p => p.StartsWith("scope=", StringComparison.Ordinal))[6..]);
            lock (issued)
            {
                issued.Add((user, scope));
            }

            return FakeResponse.Json($$"""{"token":"{{user}}","expires_in":300}""");
        });
        await using var registry = new FakeRegistry(r =>
        {
            string repo = r.Path["/v2/".Length..r.Path.IndexOf("/manifests/", StringComparison.Ordinal)];
            return r.Header("Authorization") is { } auth && auth.StartsWith("Bearer ", StringComparison.Ordinal)
                ? new FakeResponse { Body = Index, Headers = { ["Content-Type"] = MediaTypes.OciIndex } }
                : new FakeResponse { Status = 401, Headers = { ["WWW-Authenticate"] = $"Bearer realm=\"http://{tokens.Authority}/token\",service=\"fake\",scope=\"repository:{repo}:pull\"" } };
        });
        var creds = new StaticCredentialProvider()
            .Add(registry.Authority + "/team", new Credential("alice", "pw-alice", source: "team login"))
            .Add(registry.Authority, new Credential("bob", "pw-bob", source: "host login"));
        var options = TestClients.Options(creds);
        using var client = new RegistryClient(options);
        await client.Repository(registry.Authority, "team/app").GetManifestAsync("v1", default);
        await client.Repository(registry.Authority, "other/app").GetManifestAsync("v1", default);
        await client.Repository(registry.Authority, "teammate/app").GetManifestAsync("v1", default);
        await client.Repository(registry.Authority, "team/app").GetManifestAsync("v2", default);

        // team/app with alice; other/app and teammate/app (no "/" after "team") with bob; team/app's second
        // manifest with alice's cached token, not bob's newer one.
        Assert.Equal([("alice", "repository:team/app:pull"), ("bob", "repository:other/app:pull"), ("bob", "repository:teammate/app:pull")],
            issued);
        var manifests = registry.Requests.Where(r => r.Header("Authorization") is not null).Select(r => (r.Path, r.Header("Authorization"))).ToList();
        Assert.Equal(("/v2/team/app/manifests/v2", "Bearer alice"), manifests[^1]);
        Assert.True(options.Log.Contains("auth", $"login for {registry.Authority}/team/app: team login"));
        Assert.True(options.Log.Contains("auth", $"login for {registry.Authority}/teammate/app: host login"));
    }

    [Fact]
    public async Task A_mount_between_repositories_with_different_logins_is_not_tried()
    {
        var (desc, data) = TestClients.Blob(100, seed: 9);
        await using var registry = new FakeRegistry(r => r.Method switch
        {
            "POST" => new FakeResponse { Status = 202, Headers = { ["Location"] = $"/v2/other/app/blobs/uploads/u1" } },
            _ => new FakeResponse { Status = 201 },
        });
        var creds = new StaticCredentialProvider()
            .Add(registry.Authority + "/team", new Credential("alice", "pw-alice", source: "team login"))
            .Add(registry.Authority, new Credential("bob", "pw-bob", source: "host login"));
        var options = TestClients.Options(creds);
        using var client = new RegistryClient(options);
        var target = client.Repository(registry.Authority, "other/app");
        target.MountSources.Add("team/app");
        await target.WriteAsync(desc, new MemoryStream(data), default);

        Assert.DoesNotContain(registry.Requests, r => r.Query.Contains("mount=", StringComparison.Ordinal));
        Assert.Equal(data, Assert.Single(registry.Requests, r => r.Method == "PUT").Body);
        Assert.True(options.Log.Contains("push", "team/app and other/app have different logins"));
    }
}
