using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>
/// Keeps a store lease for the life of the server, so a concurrent <c>cache gc</c> spares blobs pushed before
/// their manifest arrives. The lease is renewed periodically and the older one let go, so gc can still
/// collect what an abandoned push left behind once it is older than two periods.
/// </summary>
internal sealed class LeaseKeeper : IAsyncDisposable
{
    private readonly ContentStore _store;
    private readonly Timer _timer;
    private readonly Lock _gate = new();
    private StoreLease? _current;
    private StoreLease? _previous;

    private LeaseKeeper(ContentStore store, StoreLease first, TimeSpan period)
    {
        _store = store;
        _current = first;
        _timer = new Timer(_ => _ = RenewAsync(), null, period, period);
    }

    public static async Task<LeaseKeeper> StartAsync(ContentStore store, TimeSpan period, CancellationToken cancellationToken)
        => new(store, await store.BeginLeaseAsync(cancellationToken).ConfigureAwait(false), period);

    private async Task RenewAsync()
    {
        StoreLease fresh;
        try
        {
            fresh = await _store.BeginLeaseAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or Xpkg.Oci.XpkgException)
        {
            // The index lock is busy (a long gc): keep the leases we have and try at the next tick.
            return;
        }

        StoreLease? expired;
        lock (_gate)
        {
            expired = _previous;
            _previous = _current;
            _current = fresh;
        }

        expired?.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _timer.DisposeAsync().ConfigureAwait(false);
        lock (_gate)
        {
            _current?.Dispose();
            _previous?.Dispose();
            _current = _previous = null;
        }
    }
}
