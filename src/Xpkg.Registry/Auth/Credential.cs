namespace Xpkg.Registry.Auth;

/// <summary>
/// A login for one registry. <see cref="ToString"/> never shows a secret, so a credential that ends up in a
/// log line or an exception message by accident leaks nothing.
/// </summary>
public sealed class Credential
{
    public Credential(string? username, string? password, string? identityToken = null, string? registryToken = null, string source = "")
    {
        Username = username;
        Password = password;
        IdentityToken = identityToken;
        RegistryToken = registryToken;
        Source = source;
    }

    public string? Username { get; }

    public string? Password { get; }

    /// <summary>An OAuth2 refresh token (Docker's <c>identitytoken</c>).</summary>
    public string? IdentityToken { get; }

    /// <summary>A bearer token to send as it is (Docker's <c>registrytoken</c>).</summary>
    public string? RegistryToken { get; }

    /// <summary>Where the credential came from, e.g. <c>~/.docker/config.json auths "host/ns"</c> (file and key): safe to print.</summary>
    public string Source { get; }

    /// <summary>The same login, said to come from <paramref name="source"/>.</summary>
    public Credential WithSource(string source) => new(Username, Password, IdentityToken, RegistryToken, source);

    public bool HasUsernamePassword => !string.IsNullOrEmpty(Username) && Password is not null;

    public override string ToString() => $"credential for {(string.IsNullOrEmpty(Username) ? "(token)" : Username)} from {Source}";
}
