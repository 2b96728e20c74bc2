namespace Xpkg.Registry.Hosts;

/// <summary>The user's registry host settings: <c>--hosts-dir</c>, <c>--registry-config</c>, <c>--insecure-registry</c>, <c>--ca-file</c>.</summary>
public sealed record RegistryHostOptions
{
    public string? HostsDir { get; init; }

    public string? RegistryConfigFile { get; init; }

    /// <summary><c>host[:port]</c> entries: plain HTTP allowed and TLS verification skipped for them.</summary>
    public IReadOnlyList<string> InsecureRegistries { get; init; } = [];

    /// <summary>Extra trusted CA files for every registry.</summary>
    public IReadOnlyList<string> CaFiles { get; init; } = [];

    /// <summary>
    /// Fills what the command line left unset from <c>XPKG_HOSTS_DIR</c>, <c>XPKG_REGISTRY_CONFIG</c>,
    /// <c>XPKG_INSECURE_REGISTRIES</c> (comma-separated) and <c>XPKG_CA_FILE</c>.
    /// </summary>
    public RegistryHostOptions WithEnvironment(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        static string? NonEmpty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
        return this with
        {
            HostsDir = HostsDir ?? NonEmpty(getEnv("XPKG_HOSTS_DIR")),
            RegistryConfigFile = RegistryConfigFile ?? NonEmpty(getEnv("XPKG_REGISTRY_CONFIG")),
            InsecureRegistries = InsecureRegistries.Count > 0 ? InsecureRegistries
                : [.. (getEnv("XPKG_INSECURE_REGISTRIES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            CaFiles = CaFiles.Count > 0 ? CaFiles : NonEmpty(getEnv("XPKG_CA_FILE")) is string ca ? [ca] : [],
        };
    }
}
