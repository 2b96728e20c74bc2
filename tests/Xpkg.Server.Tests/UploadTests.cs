using System.Net;
using System.Security.Cryptography;
using Xpkg.Oci;
using Xpkg.Server;
using Xpkg.Store;

namespace Xpkg.Server.Tests;

/// <summary>Blob uploads beyond the conformance checks: size, verification, cancel, expiry and broken clients.</summary>
public sealed class UploadTests : IAsyncLifetime
{
    private const string Name = "uploads/test";
    private readonly RegistryFixture _registry = new();

    public Task InitializeAsync() => _registry.InitializeAsync();

    public Task DisposeAsync() => _registry.DisposeAsync();

    [Fact]
    public async Task MonolithicPut_Over30MB_IsAccepted()
    {
        byte[] big = RandomNumberGenerator.GetBytes(31 * 1024 * 1024);
        using var put = await _registry.Api.PushBlobAsync(Name, big);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal(big.Length, new FileInfo(_registry.Store.BlobPath(Digest.Compute(big))).Length);
    }

    [Fact]
    public async Task WrongDigest_Is400DigestInvalid_AndNothingIsStored()
    {
        byte[] content = RandomNumberGenerator.GetBytes(100);
        var claimed = Digest.Compute("something else"u8);
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        using var put = await _registry.Api.SendAsync(HttpMethod.Put, RegistryApi.WithDigest(RegistryApi.Location(post), claimed), content);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        Assert.Contains("DIGEST_INVALID", await put.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(File.Exists(_registry.Store.BlobPath(claimed)));

        using var single = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/?digest={claimed}", content);
        Assert.Equal(HttpStatusCode.BadRequest, single.StatusCode);
        Assert.Empty(Directory.GetFiles(Path.Combine(_registry.Store.Root, "ingest")));
    }

    [Fact]
    public async Task MalformedDigest_Is400()
    {
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        using var put = await _registry.Api.SendAsync(HttpMethod.Put, RegistryApi.Location(post) + "?digest=sha256:xyz", [1, 2, 3]);
        Assert.Equal(HttpStatusCode.BadRequest, put.StatusCode);
        using var get = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/md5:abc");
        Assert.Equal(HttpStatusCode.BadRequest, get.StatusCode);
    }

    [Fact]
    public async Task Sha512Upload_IsVerifiedWithSha512()
    {
        byte[] content = RandomNumberGenerator.GetBytes(1000);
        var digest = Digest.Compute(content, Digest.Sha512);
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        using var put = await _registry.Api.SendAsync(HttpMethod.Put, RegistryApi.WithDigest(RegistryApi.Location(post), digest), content);
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        using var get = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{digest}");
        Assert.Equal(content, await get.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Cancel_Is204_ThenTheUploadIsUnknown()
    {
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        string location = RegistryApi.Location(post);
        using (var patch = await _registry.Api.SendAsync(HttpMethod.Patch, location, new byte[1000]))
        {
            Assert.Equal(HttpStatusCode.Accepted, patch.StatusCode);
        }

        using (var cancel = await _registry.Api.SendAsync(HttpMethod.Delete, location))
        {
            Assert.Equal(HttpStatusCode.NoContent, cancel.StatusCode);
        }

        using var status = await _registry.Api.SendAsync(HttpMethod.Get, location);
        Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
        Assert.Contains("BLOB_UPLOAD_UNKNOWN", await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_registry.Store.Root, "ingest")));
    }

    [Fact]
    public async Task IdleSession_Expires_AndItsDataIsDiscarded()
    {
        var registry = new ShortExpiryRegistry();
        await registry.InitializeAsync();
        try
        {
            var api = new RegistryApi(registry.Client);
            using var post = await api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
            using (var patch = await api.SendAsync(HttpMethod.Patch, RegistryApi.Location(post), new byte[10]))
            {
                // Under heavy load the session may already be gone; either way it must be gone below.
                Assert.True(patch.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.NotFound, patch.StatusCode.ToString());
            }

            for (int i = 0; i < 50 && registry.Server.OpenUploads > 0; i++)
            {
                await Task.Delay(100);
            }

            using var status = await api.SendAsync(HttpMethod.Get, RegistryApi.Location(post));
            Assert.Equal(HttpStatusCode.NotFound, status.StatusCode);
            Assert.Empty(Directory.GetFiles(Path.Combine(registry.Store.Root, "ingest")));
        }
        finally
        {
            await registry.DisposeAsync();
        }
    }

    [Fact]
    public async Task UploadOfAnotherRepository_IsUnknown()
    {
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        string other = RegistryApi.Location(post).Replace(Name, "uploads/other", StringComparison.Ordinal);
        using var patch = await _registry.Api.SendAsync(HttpMethod.Patch, other, new byte[10]);
        Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
    }

    [Fact]
    public async Task ChunkWithWrongLength_IsRejected_AndTheUploadCanContinue()
    {
        byte[] content = RandomNumberGenerator.GetBytes(64);
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        string location = RegistryApi.Location(post);
        using (var bad = await _registry.Api.SendAsync(HttpMethod.Patch, location, content[..10], configure: r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-31")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        }

        using (var good = await _registry.Api.SendAsync(HttpMethod.Patch, location, content[..32], configure: r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "0-31")))
        {
            Assert.Equal(HttpStatusCode.Accepted, good.StatusCode);
        }

        // The last chunk rides on the PUT.
        using var put = await _registry.Api.SendAsync(HttpMethod.Put, RegistryApi.WithDigest(location, Digest.Compute(content)), content[32..],
            configure: r => r.Content!.Headers.TryAddWithoutValidation("Content-Range", "32-63"));
        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
    }

    [Fact]
    public async Task ClientThatStopsMidUpload_LeavesTheServerServing_AndTheStoreValid()
    {
        using var post = await _registry.Api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
        string location = RegistryApi.Location(post);
        var request = new HttpRequestMessage(HttpMethod.Patch, location) { Content = new StreamContent(new FailingStream(3 * 1024 * 1024)) };
        await Assert.ThrowsAnyAsync<Exception>(() => _registry.Client.SendAsync(request));

        byte[] content = RandomNumberGenerator.GetBytes(5000);
        using var fresh = await _registry.Api.PushBlobAsync(Name, content);
        Assert.Equal(HttpStatusCode.Created, fresh.StatusCode);
        var verified = await new StoreVerifier(_registry.Store).VerifyAsync(CancellationToken.None);
        Assert.Empty(verified.Corrupt);
    }

    [Fact]
    public async Task TwoHundredConcurrentConnections_AreAllServed()
    {
        byte[] content = RandomNumberGenerator.GetBytes(4096);
        using (var put = await _registry.Api.PushBlobAsync(Name, content))
        {
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        // One connection each: a fresh client per request, all in flight at once.
        var requests = Enumerable.Range(0, 200).Select(async _ =>
        {
            using var client = new HttpClient { BaseAddress = _registry.Server.BaseAddress };
            using var r = await client.GetAsync($"/v2/{Name}/blobs/{Digest.Compute(content)}");
            return r.StatusCode;
        });
        Assert.All(await Task.WhenAll(requests), s => Assert.Equal(HttpStatusCode.OK, s));
    }

    [Fact]
    public async Task ManyConcurrentUploadsAndReads_AllSucceed()
    {
        var blobs = Enumerable.Range(0, 40).Select(_ => RandomNumberGenerator.GetBytes(20_000)).ToList();
        var pushes = blobs.Select(async b =>
        {
            using var r = await _registry.Api.PushBlobAsync(Name, b);
            return r.StatusCode;
        });
        Assert.All(await Task.WhenAll(pushes), s => Assert.Equal(HttpStatusCode.Created, s));
        var reads = blobs.Select(async b =>
        {
            using var r = await _registry.Api.SendAsync(HttpMethod.Get, $"/v2/{Name}/blobs/{Digest.Compute(b)}");
            return (await r.Content.ReadAsByteArrayAsync()).SequenceEqual(b);
        });
        Assert.All(await Task.WhenAll(reads), Assert.True);
    }

    [Fact]
    public async Task TooManyOpenUploads_Is429WithRetryAfter()
    {
        var registry = new LimitedRegistry();
        await registry.InitializeAsync();
        try
        {
            var api = new RegistryApi(registry.Client);
            for (int i = 0; i < 3; i++)
            {
                using var open = await api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
                Assert.Equal(HttpStatusCode.Accepted, open.StatusCode);
            }

            using var refused = await api.SendAsync(HttpMethod.Post, $"/v2/{Name}/blobs/uploads/");
            Assert.Equal((HttpStatusCode)429, refused.StatusCode);
            Assert.Equal("10", RegistryApi.Header(refused, "Retry-After"));
            Assert.Contains("TOOMANYREQUESTS", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            // Stopping discards the open uploads and their data.
            Assert.NotEmpty(Directory.GetFiles(Path.Combine(registry.Store.Root, "ingest")));
            await registry.Server.StopAsync();
            Assert.Empty(Directory.GetFiles(Path.Combine(registry.Store.Root, "ingest")));
        }
        finally
        {
            await registry.DisposeAsync();
        }
    }

    private sealed class LimitedRegistry : RegistryFixture
    {
        protected override RegistryServerOptions Configure(RegistryServerOptions options) => options with { MaxOpenUploads = 3 };
    }

    private sealed class ShortExpiryRegistry : RegistryFixture
    {
        protected override RegistryServerOptions Configure(RegistryServerOptions options)
            => options with { UploadExpiry = TimeSpan.FromMilliseconds(300) };
    }

    /// <summary>Yields zeros, then fails: a client that dies in the middle of a body.</summary>
    private sealed class FailingStream(long failAfter) : Stream
    {
        private long _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position >= failAfter)
            {
                throw new IOException("client went away");
            }

            int n = (int)Math.Min(count, failAfter - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
