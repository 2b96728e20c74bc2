using System.Collections.Concurrent;

namespace Xpkg.Server.Upstreams;

/// <summary>
/// Concurrent requests for one key share one operation: the first starts it, the others wait for its result.
/// The operation runs under the server's lifetime, not the first caller's request, so a client that goes
/// away does not fail the others; each caller stops waiting when its own request is aborted.
/// </summary>
internal sealed class SingleFlight<T>
{
    private readonly ConcurrentDictionary<string, Lazy<Task<T>>> _flights = new(StringComparer.Ordinal);

    /// <summary>Runs <paramref name="operation"/> unless one for <paramref name="key"/> is in flight; <c>Joined</c> says which.</summary>
    public async Task<(T Result, bool Joined)> RunAsync(string key, Func<Task<T>> operation, CancellationToken cancellationToken)
    {
        var mine = new Lazy<Task<T>>(() => Task.Run(operation));
        var flight = _flights.GetOrAdd(key, mine);
        bool joined = !ReferenceEquals(flight, mine);
        var task = flight.Value;
        if (!joined)
        {
            // Forgotten once done, whoever still waits: the next request looks again (a cache hit by then).
            _ = task.ContinueWith(_ => _flights.TryRemove(new KeyValuePair<string, Lazy<Task<T>>>(key, flight)), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return (await task.WaitAsync(cancellationToken).ConfigureAwait(false), joined);
    }
}
