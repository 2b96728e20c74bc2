namespace Xpkg.Testing;

/// <summary>A request as the fake server saw it.</summary>
public sealed record FakeRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string Path => Target.Split('?')[0];

    public string Query => Target.Contains('?', StringComparison.Ordinal) ? Target[(Target.IndexOf('?', StringComparison.Ordinal) + 1)..] : "";

    public string? Header(string name) => Headers.TryGetValue(name, out string? v) ? v : null;
}
