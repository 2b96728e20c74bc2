namespace Xpkg.Registry.Auth;

/// <summary>Bearer tokens per realm and service, each with the scopes it was issued for and its expiry.</summary>
public sealed class TokenCache
{
    private readonly List<Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public TokenCache(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public void Put(string realm, string? service, ScopeSet scopes, string token, TimeSpan lifetime)
    {
        // Renew a little early so a token does not expire between the check and the request.
        var expires = _time.GetUtcNow() + lifetime - TimeSpan.FromSeconds(Math.Min(10, lifetime.TotalSeconds / 10));
        lock (_lock)
        {
            _entries.RemoveAll(e => e.Realm == realm && e.Service == service && scopes.Covers(e.Scopes));
            _entries.Add(new Entry(realm, service, scopes, token, expires));
        }
    }

    /// <summary>A live token whose scopes cover <paramref name="required"/>, or null.</summary>
    public string? Get(string realm, string? service, ScopeSet required)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _entries.RemoveAll(e => e.Expires <= now);
            return _entries.LastOrDefault(e => e.Realm == realm && e.Service == service && e.Scopes.Covers(required))?.Token;
        }
    }

    /// <summary>The union of scopes of live tokens for the realm: a new token asks for these too, so it replaces them.</summary>
    public ScopeSet KnownScopes(string realm, string? service)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return _entries.Where(e => e.Realm == realm && e.Service == service && e.Expires > now)
                .Aggregate(new ScopeSet(), (acc, e) => acc.Union(e.Scopes));
        }
    }

    private sealed record Entry(string Realm, string? Service, ScopeSet Scopes, string Token, DateTimeOffset Expires);
}
