namespace Xpkg.Registry.Auth;

/// <summary>
/// Token scopes (<c>repository:name:pull,push</c>) merged per resource, so a cached token can be checked for
/// covering a request and a new token can ask for the union (mount needs pull on the source too).
/// </summary>
public sealed class ScopeSet
{
    private readonly SortedDictionary<string, SortedSet<string>> _actions = new(StringComparer.Ordinal);

    public ScopeSet(IEnumerable<string>? scopes = null)
    {
        foreach (string s in scopes ?? [])
        {
            Add(s);
        }
    }

    public static string Pull(string repository) => $"repository:{repository}:pull";

    public static string Push(string repository) => $"repository:{repository}:pull,push";

    public bool IsEmpty => _actions.Count == 0;

    public void Add(string scope)
    {
        // The resource name may contain ':' (host:port), so the actions are after the last one.
        int last = scope.LastIndexOf(':');
        if (last <= 0)
        {
            return;
        }

        string resource = scope[..last];
        if (!_actions.TryGetValue(resource, out var set))
        {
            _actions[resource] = set = new SortedSet<string>(StringComparer.Ordinal);
        }

        foreach (string a in scope[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            set.Add(a);
        }
    }

    public ScopeSet Union(ScopeSet other) => new(ToStrings().Concat(other.ToStrings()));

    public bool Covers(ScopeSet required)
        => required._actions.All(r => _actions.TryGetValue(r.Key, out var mine) && (mine.IsSupersetOf(r.Value) || mine.Contains("*")));

    public IReadOnlyList<string> ToStrings() => [.. _actions.Select(kv => kv.Key + ":" + string.Join(',', kv.Value))];

    public override string ToString() => string.Join(' ', ToStrings());
}
