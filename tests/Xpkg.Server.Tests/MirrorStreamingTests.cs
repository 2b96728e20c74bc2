using System.Net;
using System.Security.Cryptography;
using Xpkg.Oci;
using Xpkg.Testing;

namespace Xpkg.Server.Tests;

/// <summary>
/// A mirror miss served while it streams, end to end over HTTP: <c>xpkg serve --mirror</c> in front of an upstream
/// that stalls one byte before the end of a blob (no real registry does that on demand, so it is the fake one).
/// </summary>
public sealed class MirrorStreamingTests : IDisposable
{
    private const string Repository = "test/big";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(60);

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task AClientReceivesTheBlobWhileTheUpstreamSendsIt_AndTheLastByteOnlyOnceTheDigestChecked()
    {
        byte[] blob = RandomNumberGenerator.GetBytes(4 << 20);
        var digest = Digest.Compute(blob);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new FakeRegistry(r => Answer(r, digest, blob, resume.Task));
        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("cache"), ["--mirror"]);
        using var http = new HttpClient { BaseAddress = new Uri(mirror.Address), Timeout = Bound };
        using var bound = new CancellationTokenSource(Bound);

        using var response = await http.GetAsync($"/v2/{Repository}/blobs/{digest}?ns={upstream.Authority}", HttpCompletionOption.ResponseHeadersRead, bound.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(blob.Length, response.Content.Headers.ContentLength);
        await using var body = await response.Content.ReadAsStreamAsync(bound.Token);
        byte[] received = new byte[blob.Length];

        // All but the last byte arrive while the upstream has not finished (it waits for the test).
        await body.ReadExactlyAsync(received.AsMemory(0, blob.Length - 1), bound.Token);
        Assert.False(resume.Task.IsCompleted);
        var last = body.ReadAsync(received.AsMemory(blob.Length - 1), bound.Token).AsTask();
        await Task.Delay(500, bound.Token);
        Assert.False(last.IsCompleted, "the last byte was sent before the upstream sent its own");

        resume.SetResult();
        Assert.Equal(1, await last.WaitAsync(bound.Token));
        Assert.Equal(0, await body.ReadAsync(new byte[1], bound.Token));
        Assert.Equal(blob, received);
        Assert.True(await mirror.StderrContainsAsync($"mirror: miss {upstream.Authority}/{Repository}@{digest}", TimeSpan.FromSeconds(10)), mirror.Stderr);
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
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var upstream = new FakeRegistry(r => Answer(r, digest, wrong, resume.Task));
        await using var mirror = await ServeProcess.StartAsync(_dir.Combine("cache"), ["--mirror"]);
        using var http = new HttpClient { BaseAddress = new Uri(mirror.Address), Timeout = Bound };
        using var bound = new CancellationTokenSource(Bound);

        using var response = await http.GetAsync($"/v2/{Repository}/blobs/{digest}?ns={upstream.Authority}", HttpCompletionOption.ResponseHeadersRead, bound.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var body = await response.Content.ReadAsStreamAsync(bound.Token);
        byte[] received = new byte[blob.Length];
        await body.ReadExactlyAsync(received.AsMemory(0, blob.Length - 1), bound.Token);

        // The wrong last byte arrives upstream: the digest fails, and the client sees a broken transfer, never an end.
        resume.SetResult();
        var cut = await Assert.ThrowsAnyAsync<IOException>(async () => await body.ReadExactlyAsync(received.AsMemory(blob.Length - 1), bound.Token));
        Assert.IsNotType<EndOfStreamException>(cut);
        Assert.True(await mirror.StderrContainsAsync($"mirror: failed {upstream.Authority}/{Repository}@{digest}", TimeSpan.FromSeconds(10)), mirror.Stderr);
        string cache = _dir.Combine("cache");
        Assert.False(File.Exists(Path.Combine(cache, "blobs", "sha256", digest.Encoded)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(cache, "ingest")));
        await AssertCacheVerifiesAsync();
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
