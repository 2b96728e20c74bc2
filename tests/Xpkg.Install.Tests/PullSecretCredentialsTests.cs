using Xpkg.Install.Input;

namespace Xpkg.Install.Tests;

public sealed class PullSecretCredentialsTests
{
    [Fact]
    public async Task SecretsAnswerForTheHostsTheyName()
    {
        var set = await ManifestReader.ParseAsync("""
            apiVersion: v1
            kind: Secret
            metadata: {name: creds}
            type: kubernetes.io/dockerconfigjson
            stringData:
              .dockerconfigjson: '{"auths":{"https://mirror.example.net/v1/":{"auth":"dXNlcjpwYXNz"},"other.example.org":{"username":"u","password":"p"}}}'
            """, "in.yaml", CancellationToken.None);
        var provider = new Xpkg.Install.Sources.PullSecretCredentials(set.Secrets, null);

        var mirror = await provider.GetAsync("mirror.example.net", null, CancellationToken.None);
        Assert.Equal(("user", "pass"), (mirror?.Username, mirror?.Password));
        Assert.Equal("u", (await provider.GetAsync("other.example.org", null, CancellationToken.None))?.Username);
        Assert.Null(await provider.GetAsync("nowhere.example", null, CancellationToken.None));
        Assert.DoesNotContain("pass", mirror!.ToString(), StringComparison.Ordinal);
    }
}
