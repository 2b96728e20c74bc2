namespace Xpkg.Registry.Auth;

/// <summary>Finds the login for a registry host (e.g. <c>127.0.0.1:5443</c>); null when there is none.</summary>
public interface ICredentialProvider
{
    Task<Credential?> GetAsync(string registryHost, CancellationToken cancellationToken);
}

/// <summary>A fixed set of credentials, for tests and for <c>--creds</c>-style options.</summary>
public sealed class StaticCredentialProvider : ICredentialProvider
{
    private readonly Dictionary<string, Credential> _byHost = new(StringComparer.OrdinalIgnoreCase);

    public StaticCredentialProvider Add(string registryHost, Credential credential)
    {
        _byHost[registryHost] = credential;
        return this;
    }

    public Task<Credential?> GetAsync(string registryHost, CancellationToken cancellationToken)
        => Task.FromResult(_byHost.TryGetValue(registryHost, out var c) ? c : null);
}
