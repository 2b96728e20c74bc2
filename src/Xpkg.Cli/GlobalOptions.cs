using System.CommandLine;
using Xpkg.Registry.Hosts;

namespace Xpkg.Cli;

/// <summary>The options every command takes (cli.md), each also read from its environment variable.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> CacheDir = new("--cache-dir")
    {
        Description = "the local content store (env XPKG_CACHE_DIR; default $XDG_CACHE_HOME/xpkg or ~/.cache/xpkg)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_CACHE_DIR"),
    };

    public static readonly Option<string?> HostsDir = new("--hosts-dir")
    {
        Description = $"registry host configuration in containerd's certs.d layout (env XPKG_HOSTS_DIR; default {RegistryHostOptions.DefaultHostsDir} when it exists)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_HOSTS_DIR"),
    };

    public static readonly Option<string?> RegistryConfig = new("--registry-config")
    {
        Description = "a containerd config.toml whose legacy CRI registry mirrors/configs are honoured (env XPKG_REGISTRY_CONFIG)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_REGISTRY_CONFIG"),
    };

    public static readonly Option<string[]> InsecureRegistry = new("--insecure-registry")
    {
        Description = "HOST[:PORT] where plain HTTP is allowed and TLS is not verified (repeatable; env XPKG_INSECURE_REGISTRIES, comma-separated)",
        Recursive = true,
        DefaultValueFactory = _ => (Environment.GetEnvironmentVariable("XPKG_INSECURE_REGISTRIES") ?? "")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
    };

    public static readonly Option<string?> CaFile = new("--ca-file")
    {
        Description = "extra trusted CA certificates (PEM) for every registry (env XPKG_CA_FILE)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_CA_FILE"),
    };

    public static readonly Option<bool> Offline = new("--offline")
    {
        Description = "open no network connection at all (env XPKG_OFFLINE=1)",
        Recursive = true,
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_OFFLINE") is "1" or "true",
    };

    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "output format: text or json",
        Recursive = true,
        DefaultValueFactory = _ => "text",
    };

    public static readonly Option<bool> Verbose = new("--verbose")
    {
        Description = "detail and stack traces on stderr",
        Recursive = true,
    };

    static GlobalOptions()
    {
        Output.AcceptOnlyFromAmong("text", "json");
    }

    /// <summary>The registry host settings of a command line, saying where the hosts directory came from.</summary>
    public static RegistryHostOptions HostOptions(ParseResult parse)
    {
        string? hostsDir = parse.GetValue(HostsDir);
        bool given = parse.GetResult(HostsDir) is { Implicit: false };
        return new RegistryHostOptions
        {
            HostsDir = string.IsNullOrEmpty(hostsDir) ? null : hostsDir,
            HostsDirOrigin = string.IsNullOrEmpty(hostsDir) ? null : given ? "from --hosts-dir" : "from XPKG_HOSTS_DIR",
            RegistryConfigFile = parse.GetValue(RegistryConfig),
            InsecureRegistries = parse.GetValue(InsecureRegistry) ?? [],
            CaFiles = parse.GetValue(CaFile) is { Length: > 0 } ca ? [ca] : [],
        }.WithDefaultHostsDir();
    }

    public static IEnumerable<Option> All => [CacheDir, HostsDir, RegistryConfig, InsecureRegistry, CaFile, Offline, Output, Verbose];
}
