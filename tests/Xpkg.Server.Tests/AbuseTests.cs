using System.Net;
using Xpkg.Oci;
using Xpkg.Server;
using Xpkg.Store;

namespace Xpkg.Server.Tests;

/// <summary>
/// Clients that misbehave on purpose: a 2 GB upload cancelled part-way, 200 connections open at once, malformed
/// digests and names. The server keeps serving, leaves no upload data behind and the store stays valid.
/// </summary>
public sealed class AbuseTests : IAsyncLifetime
{
    private const string Name = "abuse/test";
    private const long TwoGigabytes = 2L * 1000 * 1000 * 1000;
    private const long CancelAfter = 256L << 20;
    private readonly RegistryFixture _registry = new();

    public Task InitializeAsync() => _registry.InitializeAsync();

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task TwoGigabyteUpload_CancelledPartWay_ThenDeleted_LeavesNoData_AndTheServerServes()
    {
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        string location = RegistryApi.Location(post);
        await SendCancelledAsync(_registry.Client, location);

        // The DELETE waits for the broken PATCH to finish on the server (one request per session at a time).
        using (var delete = await _registry.Api.SendAsync(HttpMethod.Delete, location))
        {
            Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(_registry.Store.Root, "ingest")));
        await AssertServingAndValidAsync(_registry.Api, _registry.Store);
    }

    [Fact]
    public async Task TwoGigabyteUpload_Abandoned_ExpiresAndLeavesNoData()
    {
        await using var registry = new ShortExpiryRegistry();
        await registry.InitializeAsync();
        var api = new RegistryApi(registry.Client);
        using var post = await api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        await SendCancelledAsync(registry.Client, RegistryApi.Location(post));

        for (int i = 0; i < 100 && (registry.Server.OpenUploads > 0 || Directory.GetFiles(Path.Combine(registry.Store.Root, "ingest")).Length > 0); i++)
        {
            await Task.Delay(100);
        }

        Assert.Equal(0, registry.Server.OpenUploads);
        Assert.Empty(Directory.GetFiles(Path.Combine(registry.Store.Root, "ingest")));
        await AssertServingAndValidAsync(api, registry.Store);
    }

    [Fact]
    public async Task TwoHundredOpenConnections_GetTheManifestAndHeadItsBlobs_AllAnswered()
    {
        var data = new ConformanceData();
        await _registry.Api.PushImageAsync(Name, "latest", data.Configs[0], data.Layer, data.Manifests[0]);
        var blobs = new[] { Digest.Compute(data.Configs[0]), Digest.Compute(data.Layer) };

        // One client (so one connection) each, all opened before any of them asks for anything.
        var clients = Enumerable.Range(0, 200)
            .Select(_ => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = _registry.Server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) })
            .ToList();
        try
        {
            var opened = await Task.WhenAll(clients.Select(async c =>
            {
                using var r = await c.GetAsync("/v2/");
                return r.StatusCode;
            }));
            Assert.All(opened, s => Assert.Equal(HttpStatusCode.OK, s));

            var answers = await Task.WhenAll(clients.Select(async c =>
            {
                using var get = new HttpRequestMessage(HttpMethod.Get, $"/v2/{Name}/manifests/latest");
                get.Headers.Accept.ParseAdd(MediaTypes.OciManifest);
                using var manifest = await c.SendAsync(get);
                bool ok = manifest.StatusCode == HttpStatusCode.OK && (await manifest.Content.ReadAsByteArrayAsync()).SequenceEqual(data.Manifests[0]);
                foreach (var blob in blobs)
                {
                    using var head = await c.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/{Name}/blobs/{blob}"));
                    ok &= head.StatusCode == HttpStatusCode.OK;
                }

                return ok;
            }));
            Assert.All(answers, Assert.True);
        }
        finally
        {
            clients.ForEach(c => c.Dispose());
        }
    }

    [Theory]
    [InlineData("GET", "/v2/abuse/test/blobs/sha256:0000", 400, "DIGEST_INVALID")]
    [InlineData("DELETE", "/v2/abuse/test/blobs/md5:d41d8cd98f00b204e9800998ecf8427e", 400, "DIGEST_INVALID")]
    [InlineData("GET", "/v2/abuse/test/manifests/sha256:ZZZ", 400, "DIGEST_INVALID")]
    [InlineData("PUT", "/v2/abuse/test/manifests/sha256:0123", 400, "DIGEST_INVALID")]
    [InlineData("POST", "/v2/abuse/test/blobs/uploads/?digest=sha256:not-hex", 400, "DIGEST_INVALID")]
    [InlineData("GET", "/v2/Abuse/Upper/manifests/latest", 400, "NAME_INVALID")]
    [InlineData("POST", "/v2/abuse/-dash/blobs/uploads/", 400, "NAME_INVALID")]
    [InlineData("HEAD", "/v2/abuse/trailing-/manifests/latest", 400, "NAME_INVALID")]
    [InlineData("GET", "/v2/abuse/test/manifests/-not-a-tag", 404, "MANIFEST_UNKNOWN")]
    [InlineData("PUT", "/v2/abuse/test/manifests/.not-a-tag", 400, "TAG_INVALID")]
    public async Task MalformedDigestsAndNames_GetTheSpecsErrorCode(string method, string path, int status, string code)
    {
        using var r = await _registry.Api.SendAsync(new HttpMethod(method), path, method is "PUT" ? "{}"u8.ToArray() : null, MediaTypes.OciManifest);
        Assert.Equal(status, (int)r.StatusCode);
        if (method != "HEAD")
        {
            Assert.Contains($"\"code\":\"{code}\"", await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await AssertServingAndValidAsync(_registry.Api, _registry.Store);
    }

    /// <summary>A PATCH that declares 2 GB and is cancelled by its client after 256 MiB.</summary>
    private static async Task SendCancelledAsync(HttpClient client, string location)
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var body = new GeneratedContent(TwoGigabytes, CancelAfter, cancel);
        using var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = body };
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SendAsync(request, cancel.Token));
        Assert.True(body.Sent >= CancelAfter, $"cancelled by the time bound after {body.Sent} bytes, not part-way by the client");
    }

    private static async Task AssertServingAndValidAsync(RegistryApi api, ContentStore store)
    {
        using (var ping = await api.SendAsync(HttpMethod.Get, "/v2/"))
        {
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
        }

        using (var put = await api.PushBlobAsync(Name, "still serving"u8.ToArray()))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        var verified = await new StoreVerifier(store).VerifyAsync(CancellationToken.None);
        Assert.Empty(verified.Corrupt);
    }

    private sealed class ShortExpiryRegistry : RegistryFixture, IAsyncDisposable
    {
        protected override RegistryServerOptions Configure(RegistryServerOptions options)
            => options with { UploadExpiry = TimeSpan.FromMilliseconds(500) };

        async ValueTask IAsyncDisposable.DisposeAsync() => await DisposeAsync();
    }

    /// <summary>
    /// A body of <c>declared</c> generated bytes (declared in Content-Length), which cancels its request once
    /// <c>cancelAfter</c> bytes are sent: no file behind it, so the test costs neither disk nor much time.
    /// </summary>
    private sealed class GeneratedContent(long declared, long cancelAfter, CancellationTokenSource cancel) : HttpContent
    {
        public long Sent { get; private set; }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
            => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context, CancellationToken cancellationToken)
        {
            byte[] chunk = new byte[1 << 20];
            new Random(42).NextBytes(chunk);
            while (Sent < declared)
            {
                if (Sent >= cancelAfter)
                {
                    await cancel.CancelAsync();
                    cancellationToken.ThrowIfCancellationRequested();
                }

                int n = (int)Math.Min(chunk.Length, declared - Sent);
                await stream.WriteAsync(chunk.AsMemory(0, n), cancellationToken);
                Sent += n;
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = declared;
            return true;
        }
    }
}
