namespace Xpkg.Registry.Auth;

/// <summary>
/// Bearer tokens per realm, service and login, each with the scopes it was issued for and its expiry. The login is
/// the <see cref="Credential"/> object the token was fetched with (null: anonymous), compared by identity, so a
/// token one login obtained is never sent for another, even when its scopes would cover the request.
/// </summary>
public sealed class TokenCache
{
    private readonly List<Entry> _entries = [];
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;

    public TokenCache(TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
    }

    public void Put(string realm, string? service, Credential? login, ScopeSet scopes, string token, TimeSpan lifetime)
    {
        // Renew a little early so a token does not expire between the check and the request.
        var expires = _time.GetUtcNow() + lifetime - TimeSpan.FromSeconds(Math.Min(10, lifetime.TotalSeconds / 10));
        lock (_lock)
        {
            _entries.RemoveAll(e => e.Is(realm, service, login) && scopes.Covers(e.Scopes));
            _entries.Add(new Entry(realm, service, login, scopes, token, expires));
        }
    }

    /// <summary>A live token whose scopes cover <paramref name="required"/>, or null.</summary>
    public string? Get(string realm, string? service, Credential? login, ScopeSet required)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _entries.RemoveAll(e => e.Expires <= now);
            return _entries.LastOrDefault(e => e.Is(realm, service, login) && e.Scopes.Covers(required))?.Token;
        }
    }

    private sealed record Entry(string Realm, string? Service, Credential? Login, ScopeSet Scopes, string Token, DateTimeOffset Expires)
    {
        public bool Is(string realm, string? service, Credential? login) => Realm == realm && Service == service && ReferenceEquals(Login, login);
    }
}
