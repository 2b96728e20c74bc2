using System.Collections.Concurrent;
using Xpkg.Oci;
using Xpkg.Store;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// Blobs being fetched into the cache, one fetch per digest however many clients ask: each client follows
/// the same <see cref="GrowingBlob"/> from its own offset, so bytes reach it as they arrive (serve while
/// streaming). A fetch runs under the server's lifetime: it finishes, and fills the cache, even when the
/// client that started it goes away.
/// </summary>
internal sealed class BlobFills(ContentStore store, IUpstream upstream, MirrorLog log, CancellationToken stopping)
{
    private readonly ConcurrentDictionary<Digest, Lazy<GrowingBlob>> _inFlight = new();

    public ServedBlob Serve(UpstreamName name, Descriptor descriptor)
    {
        string what = name.DigestReference(descriptor.Digest);
        var mine = new Lazy<GrowingBlob>(() => GrowingBlob.Create(store, descriptor));
        var flight = _inFlight.GetOrAdd(descriptor.Digest, mine);
        var blob = flight.Value;
        if (ReferenceEquals(flight, mine))
        {
            _ = Task.Run(() => FillAsync(name, flight, what), CancellationToken.None);
        }
        else
        {
            log.Decision("joined", what, null, upstream.Describe(name), "following a fetch in flight");
        }

        return new ServedBlob(descriptor, (offset, ct) => Task.FromResult(blob.TryOpenReader(offset) ?? OpenStored(descriptor, offset)));
    }

    private async Task FillAsync(UpstreamName name, Lazy<GrowingBlob> flight, string what)
    {
        var blob = flight.Value;
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            Stream source;
            try
            {
                source = await upstream.OpenBlobAsync(name, blob.Descriptor, 0, stopping).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                blob.Abandon(e);
                throw;
            }

            await using (source.ConfigureAwait(false))
            {
                await blob.FillAsync(source, stopping).ConfigureAwait(false);
            }

            await blob.Completion.ConfigureAwait(false);
            log.Decision("miss", what, null, upstream.Describe(name), $"fetched {blob.Descriptor.Size} bytes into the cache in {started.ElapsedMilliseconds} ms, served while streaming");
        }
        catch (Exception e)
        {
            log.Decision("failed", what, null, upstream.Describe(name), e.Message);
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<Digest, Lazy<GrowingBlob>>(blob.Descriptor.Digest, flight));
        }
    }

    /// <summary>The fill finished between lookup and open: the blob is in the cache by now (or the fill failed).</summary>
    private Stream OpenStored(Descriptor descriptor, long offset)
    {
        var file = new FileStream(store.BlobPath(descriptor.Digest), FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 1, FileOptions.Asynchronous);
        file.Position = offset;
        return file;
    }
}
