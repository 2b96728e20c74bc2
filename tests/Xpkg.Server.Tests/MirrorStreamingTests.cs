using System.Net;
using System.Security.Cryptography;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>
/// A mirror miss served while it streams, end to end over HTTP: <c>xpkg serve --mirror</c> in front of an upstream
/// that stalls one byte before the end of a blob (no real registry does that on demand, so it is the fake one).
/// </summary>
public sealed class MirrorStreamingTests : IAsyncLifetime
{
    private const string Repository = "test/big";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempDir _dir = new();
    private readonly TaskCompletionSource _resume = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _bound = new(Bound);
    private FakeRegistry? _upstream;
    private ServeProcess? _mirror;
    private HttpClient? _http;

    private FakeRegistry Upstream => _upstream!;

    private ServeProcess Mirror => _mirror!;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        await (_mirror?.DisposeAsync() ?? ValueTask.CompletedTask);
        await (_upstream?.DisposeAsync() ?? ValueTask.CompletedTask);
        _bound.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task AClientReceivesTheBlobWhileTheUpstreamSendsIt_AndTheLastByteOnlyOnceTheDigestChecked()
    {
        byte[] blob = RandomNumberGenerator.GetBytes(4 << 20);
        var digest = Digest.Compute(blob);
        using var response = await GetThroughMirrorAsync(digest, blob);
        await using var body = await response.Content.ReadAsStreamAsync(_bound.Token);
        byte[] received = new byte[blob.Length];

        // All but the last byte arrive while the upstream has not finished (it waits for the test).
        await body.ReadExactlyAsync(received.AsMemory(0, blob.Length - 1), _bound.Token);
        Assert.False(_resume.Task.IsCompleted);
        var last = body.ReadAsync(received.AsMemory(blob.Length - 1), _bound.Token).AsTask();
        await Task.Delay(500, _bound.Token);
        Assert.False(last.IsCompleted, "the last byte was sent before the upstream sent its own");

        _resume.SetResult();
        Assert.Equal(1, await last.WaitAsync(_bound.Token));
        Assert.Equal(0, await body.ReadAsync(new byte[1], _bound.Token));
        Assert.Equal(blob, received);
        Assert.True(await Mirror.StderrContainsAsync($"mirror: miss {Upstream.Authority}/{Repository}@{digest}", TimeSpan.FromSeconds(10)), Mirror.Stderr);
        Assert.True(File.Exists(Path.Combine(_dir.Combine("cache"), "blobs", "sha256", digest.Encoded)));
        await AssertCacheVerifiesAsync();
    }

    [Fact]
    public async Task WhenTheUpstreamSendsTheWrongBytes_TheClientsConnectionIsCut_AndNothingIsCached()
    {
        byte[] blob = RandomNumberGenerator.GetBytes(4 << 20);
        var digest = Digest.Compute(blob);
        byte[] wrong = [.. blob];
        wrong[^1] ^= 0xff;
        using var response = await GetThroughMirrorAsync(digest, wrong);
        await using var body = await response.Content.ReadAsStreamAsync(_bound.Token);
        byte[] received = new byte[blob.Length];
        await body.ReadExactlyAsync(received.AsMemory(0, blob.Length - 1), _bound.Token);

        // The wrong last byte arrives upstream: the digest fails, and the client sees a broken transfer, never an end.
        _resume.SetResult();
        var cut = await Assert.ThrowsAnyAsync<IOException>(async () => await body.ReadExactlyAsync(received.AsMemory(blob.Length - 1), _bound.Token));
        Assert.IsNotType<EndOfStreamException>(cut);
        Assert.True(await Mirror.StderrContainsAsync($"mirror: failed {Upstream.Authority}/{Repository}@{digest}", TimeSpan.FromSeconds(10)), Mirror.Stderr);
        string cache = _dir.Combine("cache");
        Assert.False(File.Exists(Path.Combine(cache, "blobs", "sha256", digest.Encoded)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache, "ingest")));
        await AssertCacheVerifiesAsync();
    }

    /// <summary>
    /// Starts the upstream, which sends <paramref name="content"/> as the blob <paramref name="digest"/> and stalls one
    /// byte before its end until the test resumes it, and the mirror in front; GETs the blob through the mirror.
    /// </summary>
    private async Task<HttpResponseMessage> GetThroughMirrorAsync(Digest digest, byte[] content)
    {
        _upstream = new FakeRegistry(r => Answer(r, digest, content, _resume.Task));
        _mirror = await ServeProcess.StartAsync(_dir.Combine("cache"), ["--mirror"]);
        _http = new HttpClient { BaseAddress = new Uri(_mirror.Address), Timeout = Bound };
        var response = await _http.GetAsync($"/v2/{Repository}/blobs/{digest}?ns={_upstream.Authority}", HttpCompletionOption.ResponseHeadersRead, _bound.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(content.Length, response.Content.Headers.ContentLength);
        return response;
    }

    /// <summary>The upstream: its base endpoint, and the blob under <paramref name="digest"/>, stalled one byte before its end.</summary>
    private static FakeResponse Answer(FakeRequest request, Digest digest, byte[] content, Task resume)
    {
        if (request.Path == "/v2/")
        {
            return FakeResponse.Json("{}");
        }

        if (request.Path != $"/v2/{Repository}/blobs/{digest}")
        {
            return FakeResponse.Status_(404);
        }

        return new FakeResponse
        {
            Body = content,
            CutAfter = content.Length - 1,
            ResumeWhen = resume,
            Headers = { ["Content-Type"] = "application/octet-stream", ["Docker-Content-Digest"] = digest.ToString() },
        };
    }

    private async Task AssertCacheVerifiesAsync()
    {
        var verify = await Run.XpkgAsync(_dir.Combine("cache"), "cache", "verify");
        Assert.True(verify.ExitCode == 0, verify.ToString());
    }
}
