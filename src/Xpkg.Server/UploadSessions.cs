using System.Collections.Concurrent;
using Xpkg.Store;

namespace Xpkg.Server;

/// <summary>
/// The upload sessions in progress. Sessions live in memory with their data in the store's ingest area;
/// one left untouched for longer than the expiry is discarded, as are all of them at shutdown.
/// </summary>
public sealed class UploadSessions : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, UploadSession> _sessions = new(StringComparer.Ordinal);
    private readonly ContentStore _store;
    private readonly TimeSpan _expiry;
    private readonly Timer _sweeper;

    public UploadSessions(ContentStore store, TimeSpan expiry)
    {
        _store = store;
        _expiry = expiry;
        var period = TimeSpan.FromTicks(Math.Clamp(expiry.Ticks / 4, TimeSpan.FromMilliseconds(100).Ticks, TimeSpan.FromMinutes(1).Ticks));
        _sweeper = new Timer(_ => _ = SweepAsync(), null, period, period);
    }

    public int Count => _sessions.Count;

    /// <summary>Each open session holds a file open; beyond this many, new uploads are told to come back later.</summary>
    public int MaxOpenSessions { get; init; } = 1024;

    /// <summary>A new session, or null when <see cref="MaxOpenSessions"/> are open.</summary>
    public UploadSession? TryStart(string name)
        => _sessions.Count >= MaxOpenSessions ? null : Start(name);

    private UploadSession Start(string name)
    {
        var session = new UploadSession(Guid.NewGuid().ToString("N"), name, BlobUpload.Create(_store));
        _sessions[session.Id] = session;
        return session;
    }

    /// <summary>The session <paramref name="id"/> of repository <paramref name="name"/>, if it is still open.</summary>
    public UploadSession? Find(string name, string id)
        => _sessions.TryGetValue(id, out var s) && s.Name == name && !s.Closed ? s : null;

    /// <summary>Ends a session; its data is discarded unless it was committed to the store.</summary>
    public async Task EndAsync(UploadSession session)
    {
        _sessions.TryRemove(session.Id, out _);
        await session.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Discards sessions idle for longer than the expiry; a session busy with a request is left alone.</summary>
    public async Task SweepAsync()
    {
        var cutoff = DateTime.UtcNow - _expiry;
        foreach (var session in _sessions.Values)
        {
            if (session.LastUsedUtc >= cutoff || !await session.Gate.WaitAsync(0).ConfigureAwait(false))
            {
                continue;
            }

            try
            {
                if (session.LastUsedUtc < cutoff)
                {
                    await EndAsync(session).ConfigureAwait(false);
                }
            }
            finally
            {
                session.Gate.Release();
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _sweeper.DisposeAsync().ConfigureAwait(false);
        foreach (var session in _sessions.Values)
        {
            await EndAsync(session).ConfigureAwait(false);
        }
    }
}
