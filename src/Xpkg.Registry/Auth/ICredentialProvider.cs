namespace Xpkg.Registry.Auth;

/// <summary>
/// Finds the login for a repository of a registry host (e.g. <c>127.0.0.1:5443</c> and <c>team/app</c>); null when
/// there is none. A null repository asks for the registry as a whole (its bare host key only).
/// </summary>
public interface ICredentialProvider
{
    Task<Credential?> GetAsync(string registryHost, string? repository, CancellationToken cancellationToken);
}

/// <summary>A fixed set of credentials keyed as <c>auths</c> keys are (<see cref="AuthKeys"/>), for tests and <c>--creds</c>-style options.</summary>
public sealed class StaticCredentialProvider : ICredentialProvider
{
    private readonly Dictionary<string, Credential> _byKey = new(StringComparer.OrdinalIgnoreCase);

    /// <param name="key">A host, or <c>host/namespace[/repo]</c> for the repositories under that path.</param>
    public StaticCredentialProvider Add(string key, Credential credential)
    {
        _byKey[AuthKeys.Normalize(key)] = credential;
        return this;
    }

    public Task<Credential?> GetAsync(string registryHost, string? repository, CancellationToken cancellationToken)
        => Task.FromResult(AuthKeys.LookupOrder(registryHost, repository).Select(k => _byKey.GetValueOrDefault(k)).FirstOrDefault(c => c is not null));
}
