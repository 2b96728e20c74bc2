namespace Xpkg.Registry.Hosts;

/// <summary>The user's registry host settings: <c>--hosts-dir</c>, <c>--registry-config</c>, <c>--insecure-registry</c>, <c>--ca-file</c>.</summary>
public sealed record RegistryHostOptions
{
    /// <summary>
    /// The hosts directory used when none is given and it exists: containerd's usual <c>config_path</c>, which
    /// nerdctl also reads by default (ctr reads none unless told).
    /// </summary>
    public const string DefaultHostsDir = "/etc/containerd/certs.d";

    public string? HostsDir { get; init; }

    /// <summary>Where <see cref="HostsDir"/> came from (or why there is none), for <c>--explain</c>.</summary>
    public string? HostsDirOrigin { get; init; }

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
            HostsDirOrigin = HostsDirOrigin ?? (HostsDir is null && NonEmpty(getEnv("XPKG_HOSTS_DIR")) is not null ? "from XPKG_HOSTS_DIR" : null),
            RegistryConfigFile = RegistryConfigFile ?? NonEmpty(getEnv("XPKG_REGISTRY_CONFIG")),
            InsecureRegistries = InsecureRegistries.Count > 0 ? InsecureRegistries
                : [.. (getEnv("XPKG_INSECURE_REGISTRIES") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
            CaFiles = CaFiles.Count > 0 ? CaFiles : NonEmpty(getEnv("XPKG_CA_FILE")) is string ca ? [ca] : [],
        };
    }

    /// <summary>With no hosts directory given, <paramref name="defaultDir"/> when it exists.</summary>
    public RegistryHostOptions WithDefaultHostsDir(string defaultDir = DefaultHostsDir)
    {
        if (HostsDir is not null)
        {
            return this;
        }

        return Directory.Exists(defaultDir)
            ? this with { HostsDir = defaultDir, HostsDirOrigin = "the default, as it exists" }
            : this with { HostsDirOrigin = $"none given (--hosts-dir, XPKG_HOSTS_DIR) and the default {defaultDir} does not exist" };
    }
}
