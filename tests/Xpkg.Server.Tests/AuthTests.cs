using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xpkg.Server;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>
/// Basic auth from an htpasswd file made by <c>htpasswd -Bbn</c>: anonymous pull allowed (or not, with
/// <c>--auth-pull</c>), pushes need a user, wrong passwords are refused, and no credential reaches the log.
/// </summary>
public sealed class AuthTests
{
    private const string User = "testuser";
    private const string Password = "s3cret-Passw0rd";
    private const string Name = "auth/tiny";

    [Fact]
    public async Task AnonymousPull_Allowed_PushNeedsAUser_WrongPasswordRefused()
    {
        await using var registry = await AuthRegistry.StartAsync(authenticatePulls: false);
        var anonymous = new RegistryApi(registry.Client);

        using (var ping = await anonymous.SendAsync(HttpMethod.Get, "/v2/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, ping.StatusCode);
            Assert.Equal("Basic realm=\"xpkg\"", ping.Headers.WwwAuthenticate.ToString());
            Assert.Contains("\"code\":\"UNAUTHORIZED\"", await ping.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var push = await anonymous.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, push.StatusCode);
        }

        using (var wrong = await anonymous.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/", configure: r => r.Headers.Authorization = Basic(User, "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }

        var data = new ConformanceData();
        var authenticated = new RegistryApi(registry.Client);
        registry.Client.DefaultRequestHeaders.Authorization = Basic(User, Password);
        await authenticated.PushImageAsync(Name, "latest", data.Configs[0], data.Layer, data.Manifests[0]);
        registry.Client.DefaultRequestHeaders.Authorization = null;

        using (var pull = await anonymous.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/latest"))
        {
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        using (var wrongPull = await anonymous.SendAsync(HttpMethod.Get, $"/v2/{Name}/manifests/latest", configure: r => r.Headers.Authorization = Basic(User, "wrong")))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, wrongPull.StatusCode);
        }

        await AssertNoCredentialsInLogAsync(registry);
        Assert.Contains("\"user\":\"testuser\"", registry.AccessLog, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthPull_RefusesAnonymousPulls_AllowsTheUser()
    {
        await using var registry = await AuthRegistry.StartAsync(authenticatePulls: true);
        var api = new RegistryApi(registry.Client);
        using (var anonymous = await api.SendAsync(HttpMethod.Get, $"/v2/{Name}/tags/list"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var user = await api.SendAsync(HttpMethod.Get, "/v2/", configure: r => r.Headers.Authorization = Basic(User, Password)))
        {
            Assert.Equal(HttpStatusCode.OK, user.StatusCode);
        }

        await AssertNoCredentialsInLogAsync(registry);
    }

    [Fact]
    public async Task Skopeo_PushesWithCredentials_AndFailsWithout()
    {
        await using var registry = await AuthRegistry.StartAsync(authenticatePulls: false);
        string layout = Path.Combine(registry.Directory, "layout");
        TestLayout.Write(layout);
        string host = registry.Server.BaseAddress.Authority;
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", $"oci:{layout}:tiny", $"docker://{host}/auth/skopeo:latest"));
        Assert.Contains("unauthorized", refused.Message, StringComparison.Ordinal);
        await Run.ToolAsync("skopeo", "copy", "--dest-tls-verify=false", "--dest-creds", $"{User}:{Password}", $"oci:{layout}:tiny", $"docker://{host}/auth/skopeo:latest");
        await Run.ToolAsync("skopeo", "inspect", "--raw", "--tls-verify=false", $"docker://{host}/auth/skopeo:latest");
        await AssertNoCredentialsInLogAsync(registry);
    }

    private static async Task AssertNoCredentialsInLogAsync(RegistryFixture registry)
    {
        // Lines are written as requests finish on the server, which can be just after the client has its answer.
        await Task.Delay(100);
        string log = registry.AccessLog;
        Assert.NotEmpty(log);
        Assert.DoesNotContain(Password, log, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(User + ":" + Password)), log, StringComparison.Ordinal);
        Assert.DoesNotContain("Basic ", log, StringComparison.Ordinal);
    }

    private static AuthenticationHeaderValue Basic(string user, string password)
        => new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));

    private sealed class AuthRegistry(bool authenticatePulls, string htpasswd) : RegistryFixture, IAsyncDisposable
    {
        public static async Task<AuthRegistry> StartAsync(bool authenticatePulls)
        {
            string file = Path.Combine(Path.GetTempPath(), "xpkg-htpasswd-" + Guid.NewGuid().ToString("N"));
            await File.WriteAllTextAsync(file, await Run.ToolAsync("htpasswd", "-Bbn", User, Password));
            var registry = new AuthRegistry(authenticatePulls, file);
            await registry.InitializeAsync();
            return registry;
        }

        protected override RegistryServerOptions Configure(RegistryServerOptions options)
            => options with { HtpasswdFile = htpasswd, AuthenticatePulls = authenticatePulls };

        async ValueTask IAsyncDisposable.DisposeAsync()
        {
            await base.DisposeAsync();
            File.Delete(htpasswd);
        }
    }
}
