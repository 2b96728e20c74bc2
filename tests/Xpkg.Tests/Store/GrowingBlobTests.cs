using System.IO.Pipes;
using System.Security.Cryptography;
using Xpkg.Oci;
using Xpkg.Store;
using Xpkg.Testing;

namespace Xpkg.Tests.Store;

/// <summary>A blob followed by readers while it is ingested: what a pull-through mirror serves while it fetches.</summary>
public sealed class GrowingBlobTests
{
    [Fact]
    public async Task ReadersGetBytesBeforeTheFillEnds_AndTheWholeBlobOnceVerified()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Combine("cache"));
        byte[] content = RandomNumberGenerator.GetBytes(3 << 20);
        var descriptor = Descriptor.For("application/octet-stream", content);
        using var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        using var source = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        var blob = GrowingBlob.Create(store, descriptor);
        var fill = Task.Run(() => blob.FillAsync(source, CancellationToken.None));

        await writer.WriteAsync(content.AsMemory(0, 1 << 20));
        await writer.FlushAsync();
        await using var reader = blob.TryOpenReader(0)!;
        byte[] first = new byte[4096];
        using var early = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        int n = await reader.ReadAsync(first, early.Token);

        Assert.True(n > 0);
        Assert.False(blob.Completion.IsCompleted);
        Assert.Equal(content.AsSpan(0, n).ToArray(), first.AsSpan(0, n).ToArray());

        await writer.WriteAsync(content.AsMemory(1 << 20));
        writer.Close();
        using var rest = new MemoryStream();
        await reader.CopyToAsync(rest, early.Token);
        await fill;

        Assert.Equal(content.Length - n, rest.Length);
        Assert.True(blob.Completion.IsCompletedSuccessfully);
        Assert.True(store.Contains(descriptor));
        Assert.Empty(Directory.EnumerateFiles(dir.Combine("cache", "ingest")));
    }

    [Fact]
    public async Task WrongContent_NeverReachesAReaderWhole_AndNothingIsStored()
    {
        using var dir = new TempDir();
        var store = ContentStore.Open(dir.Combine("cache"));
        byte[] expected = RandomNumberGenerator.GetBytes(1 << 20);
        byte[] sent = RandomNumberGenerator.GetBytes(1 << 20);
        var descriptor = Descriptor.For("application/octet-stream", expected);
        var blob = GrowingBlob.Create(store, descriptor);
        await using var reader = blob.TryOpenReader(0)!;

        await blob.FillAsync(new MemoryStream(sent), CancellationToken.None);
        using var received = new MemoryStream();
        var failure = await Assert.ThrowsAsync<IOException>(() => reader.CopyToAsync(received));

        Assert.Contains("digest mismatch", failure.Message, StringComparison.Ordinal);
        Assert.True(received.Length < expected.Length);
        Assert.False(File.Exists(store.BlobPath(descriptor.Digest)));
        Assert.Empty(Directory.EnumerateFiles(dir.Combine("cache", "ingest")));
    }
}
