namespace Xpkg.Registry.Auth;

/// <summary>
/// Every credential file of the user, asked in order until one has a login for the repository: Docker's
/// <c>config.json</c> first, then the containers <c>auth.json</c> that podman, skopeo and buildah write, found where
/// they look: <c>$REGISTRY_AUTH_FILE</c> (else <c>$XDG_RUNTIME_DIR/containers/auth.json</c>), then
/// <c>$XDG_CONFIG_HOME/containers/auth.json</c> (else <c>~/.config/containers/auth.json</c>). Both files have the
/// same shape (<c>auths</c>, <c>credsStore</c>, <c>credHelpers</c>) and are read alike: within a file the most
/// specific key wins (<see cref="DockerConfigFile.GetAsync"/>), but the file order comes first, so a bare host in
/// Docker's file wins over <c>host/ns</c> in auth.json.
/// </summary>
/// <remarks>
/// Docker's file first is go-containerregistry's DefaultKeychain order, which the Crossplane CLI logs in with: it
/// reads Docker's <c>config.json</c> when there is one and podman's <c>auth.json</c> only otherwise. xpkg keeps that
/// order but goes on to the next file when one has no login for the repository. podman and skopeo ask their own
/// file first; a user with the same registry in both files gets Docker's login here.
/// </remarks>
public sealed class CredentialFiles : ICredentialProvider
{
    private CredentialFiles(IReadOnlyList<DockerConfigFile> files) => Files = files;

    /// <summary>The files that exist, in the order they are asked.</summary>
    public IReadOnlyList<DockerConfigFile> Files { get; }

    /// <summary>The paths looked at, in order, whether or not they exist.</summary>
    public static IReadOnlyList<string> DefaultPaths(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        string home = getEnv("HOME") is { Length: > 0 } h ? h : Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        var paths = new List<string> { DockerConfigFile.DefaultPath(getEnv) };
        if (getEnv("REGISTRY_AUTH_FILE") is { Length: > 0 } authFile)
        {
            paths.Add(authFile);
        }
        else if (getEnv("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            paths.Add(Path.Combine(runtime, "containers", "auth.json"));
        }

        string configHome = getEnv("XDG_CONFIG_HOME") is { Length: > 0 } c ? c : Path.Combine(home, ".config");
        paths.Add(Path.Combine(configHome, "containers", "auth.json"));
        return [.. paths.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Loads each file that exists; a malformed one is an error naming it (never quoting it).</summary>
    public static CredentialFiles Load(Func<string, string?>? getEnv = null, CredentialHelperRunner? runner = null)
    {
        runner ??= new CredentialHelperRunner();
        return new CredentialFiles([.. DefaultPaths(getEnv).Where(File.Exists).Select(p => DockerConfigFile.Load(p, runner))]);
    }

    public async Task<Credential?> GetAsync(string registryHost, string? repository, CancellationToken cancellationToken)
    {
        foreach (var file in Files)
        {
            if (await file.GetAsync(registryHost, repository, cancellationToken).ConfigureAwait(false) is { } credential)
            {
                return credential;
            }
        }

        return null;
    }
}
