using Xpkg.Oci;
using Xpkg.Install.Input;

namespace Xpkg.Install.Tests;

public sealed class PullSecretCredentialsTests
{
    [Fact]
    public async Task SecretsAnswerForTheHostsTheyName()
    {
        var provider = await ProviderForAsync("""{"auths":{"https://mirror.example.net/v1/":{"auth":"dXNlcjpwYXNz"},"other.example.org":{"username":"u","password":"p"}}}""");

        var mirror = await provider.GetAsync("mirror.example.net", null, CancellationToken.None);
        Assert.Equal(("user", "pass"), (mirror?.Username, mirror?.Password));
        Assert.Equal("u", (await provider.GetAsync("other.example.org", null, CancellationToken.None))?.Username);
        Assert.Null(await provider.GetAsync("nowhere.example", null, CancellationToken.None));
        Assert.DoesNotContain("pass", mirror!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task KeysMatchAsTheKubeletKeyringMatchesThem()
    {
        var provider = await ProviderForAsync("""{"auths":{"reg.example.com":{"username":"host"},"reg.example.com/team":{"username":"team"},"*.corp.example":{"username":"glob"},"reg.example.com:5000":{"username":"port"},"https://index.docker.io/v1/":{"username":"hub"}}}""");

        async Task<string?> UserFor(string host, string repository) => (await provider.GetAsync(host, repository, CancellationToken.None))?.Username;
        Assert.Equal("team", await UserFor("reg.example.com", "team/fn"));
        Assert.Equal("team", await UserFor("reg.example.com", "teamwork/fn")); // a string prefix, as the kubelet's
        Assert.Equal("host", await UserFor("reg.example.com", "other/fn"));
        Assert.Equal("port", await UserFor("reg.example.com:5000", "team/fn"));
        Assert.Equal("glob", await UserFor("eu.corp.example", "fn"));
        Assert.Null(await UserFor("a.eu.corp.example", "fn")); // a glob is one label
        Assert.Equal("hub", await UserFor("docker.io", "library/fn"));
        Assert.Null(await UserFor("reg.example.org", "team/fn"));
    }

    [Fact]
    public async Task ABrokenAuthFieldIsBadInputThatNeverShowsTheValue()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => ProviderForAsync("""{"auths":{"reg.example.com":{"auth":"not-base64!secretish"}}}"""));
        Assert.Contains("Secret creds (key reg.example.com): an \"auth\" value is not base64", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secretish", e.Message + e.Hint, StringComparison.Ordinal);
    }

    // The Secret is read the way install reads its inputs, so the provider sees what an install would.
    private static async Task<Xpkg.Install.Sources.PullSecretCredentials> ProviderForAsync(string dockerConfigJson)
    {
        var set = await ManifestReader.ParseAsync($"""
            apiVersion: v1
            kind: Secret
            metadata: {"{"}name: creds{"}"}
            type: kubernetes.io/dockerconfigjson
            stringData:
              .dockerconfigjson: '{dockerConfigJson}'
            """, "in.yaml", CancellationToken.None);
        return new Xpkg.Install.Sources.PullSecretCredentials(set.Secrets, null);
    }
}
