using Xpkg.Registry.Auth;
using Xpkg.Testing;

namespace Xpkg.Registry.Tests.Auth;

/// <summary>The containers-auth.json(5) key rule: the most specific path prefix of the repository, then the host.</summary>
public class AuthKeysTests
{
    [Fact]
    public void Lookup_goes_from_the_repository_up_to_the_host()
    {
        Assert.Equal(["h.example:5000/team/app/x", "h.example:5000/team/app", "h.example:5000/team", "h.example:5000"],
            AuthKeys.LookupOrder("h.example:5000", "team/app/x"));
        Assert.Equal(["h.example"], AuthKeys.LookupOrder("H.example", null));
        Assert.Equal(["docker.io/library/alpine", "docker.io/library", "docker.io"], AuthKeys.LookupOrder("index.docker.io", "library/alpine"));
    }

    [Fact]
    public void Keys_normalise_urls_to_their_host_and_keep_paths()
    {
        Assert.Equal("h.example", AuthKeys.Normalize("https://h.example/v1/"));
        Assert.Equal("h.example:5000", AuthKeys.Normalize("http://H.example:5000/v2/team"));
        Assert.Equal("docker.io", AuthKeys.Normalize("https://index.docker.io/v1/"));
        Assert.Equal("docker.io/myorg", AuthKeys.Normalize("registry-1.docker.io/myorg"));
        Assert.Equal("h.example/team/app", AuthKeys.Normalize("h.example/team/app/"));
    }

    [Fact]
    public async Task The_most_specific_key_wins_on_path_boundaries_and_url_keys_count_for_the_host()
    {
        using var dir = new TempDir();
        string path = dir.Write("auth.json", $$$"""
            {"auths": {
              "h.example": {"auth": "{{{Auth("host")}}}"},
              "h.example/good": {"auth": "{{{Auth("good")}}}"},
              "h.example/good/deeper": {"auth": "{{{Auth("deeper")}}}"},
              "h.example/goo": {"auth": "{{{Auth("goo")}}}"},
              "https://url.example/v1/": {"auth": "{{{Auth("url")}}}"},
              "url.example/team": {"auth": "{{{Auth("team")}}}"},
              "https://both.example/v1/": {"auth": "{{{Auth("as-url")}}}"},
              "both.example": {"auth": "{{{Auth("as-host")}}}"},
              "https://index.docker.io/v1/": {"auth": "{{{Auth("hub")}}}"},
              "docker.io/myorg": {"auth": "{{{Auth("myorg")}}}"},
              "only.example/ns": {"auth": "{{{Auth("ns-only")}}}"}
            }}
            """);
        var file = DockerConfigFile.Load(path);
        async Task<string?> User(string host, string? repository) => (await file.GetAsync(host, repository, default))?.Username;

        Assert.Equal("good", await User("h.example", "good/x"));
        Assert.Equal("good", await User("h.example", "good"));
        Assert.Equal("deeper", await User("h.example", "good/deeper/img"));
        Assert.Equal("host", await User("h.example", "gooder/x"));
        Assert.Equal("goo", await User("h.example", "goo/x"));
        Assert.Equal("host", await User("h.example", "other/img"));
        Assert.Equal("host", await User("h.example", null));
        Assert.Equal("url", await User("url.example", "else/img"));
        Assert.Equal("team", await User("url.example", "team/img"));
        Assert.Equal("as-host", await User("both.example", "x"));
        Assert.Equal("hub", await User("docker.io", "library/alpine"));
        Assert.Equal("myorg", await User("docker.io", "myorg/app"));

        // A login for a path only is no login for the rest of its host.
        Assert.Null(await User("only.example", "other/img"));
        Assert.Null(await User("only.example", null));

        // The source names the file and the key as written: what --explain prints.
        Assert.Equal($"{path} auths \"h.example/good\"", (await file.GetAsync("h.example", "good/x", default))!.Source);
        Assert.Equal($"{path} auths \"https://url.example/v1/\"", (await file.GetAsync("url.example", "a", default))!.Source);
    }

    [Fact]
    public async Task Static_credentials_follow_the_same_rule()
    {
        var provider = new StaticCredentialProvider()
            .Add("h.example", new Credential("host", "p"))
            .Add("h.example/good", new Credential("good", "p"));
        Assert.Equal("good", (await provider.GetAsync("h.example", "good/img", default))?.Username);
        Assert.Equal("host", (await provider.GetAsync("h.example", "goodness/img", default))?.Username);
    }

    private static string Auth(string user) => Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(user + ":pw-" + user));
}
