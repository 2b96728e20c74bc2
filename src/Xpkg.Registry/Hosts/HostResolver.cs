using System.Collections.Concurrent;
using Xpkg.Oci;

namespace Xpkg.Registry.Hosts;

/// <summary>
/// Decides where requests for a registry go: the ordered list of endpoints (mirrors first, the server last),
/// each with its scheme, TLS settings and the reason it was chosen, recorded in the <see cref="ExplainLog"/>.
/// Precedence: a hosts directory entry, else the legacy CRI mirrors, else the registry itself.
/// </summary>
public sealed class HostResolver
{
    /// <summary>Docker Hub's API host; <c>docker.io</c> is only its name.</summary>
    public const string DockerHubServer = "registry-1.docker.io";

    private readonly RegistryHostOptions _options;
    private readonly HostsDirectory? _hostsDirectory;
    private readonly CriRegistryConfig? _cri;
    private readonly ConcurrentDictionary<string, Lazy<IReadOnlyList<RegistryEndpoint>>> _resolved = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<(string, HostCapabilities), bool> _skipNoted = new();

    public HostResolver(RegistryHostOptions options)
    {
        _options = options;
        _hostsDirectory = options.HostsDir is null ? null : new HostsDirectory(options.HostsDir);
        if (options.RegistryConfigFile is not null)
        {
            if (!File.Exists(options.RegistryConfigFile))
            {
                throw new InvalidInputException($"registry config {options.RegistryConfigFile} does not exist", "--registry-config takes a containerd config.toml");
            }

            _cri = CriRegistryConfig.Load(options.RegistryConfigFile);
        }
    }

    public CriRegistryConfig? CriConfig => _cri;

    /// <summary>Endpoints for <paramref name="registryHost"/> in the order they are tried, all capabilities included.</summary>
    public IReadOnlyList<RegistryEndpoint> Resolve(string registryHost, ExplainLog? log = null)
    {
        // Files are read and the decision explained once per host: a pull asks for every blob.
        log ??= ExplainLog.Discard;
        return _resolved.GetOrAdd(registryHost, h => new Lazy<IReadOnlyList<RegistryEndpoint>>(() => Compute(h, log))).Value;
    }

    private List<RegistryEndpoint> Compute(string registryHost, ExplainLog log)
    {
        var server = DefaultServer(registryHost);
        log.Add("hosts", _options.HostsDir is null
            ? $"hosts directory: {_options.HostsDirOrigin ?? "none given"}"
            : $"hosts directory: {_options.HostsDir}{(_options.HostsDirOrigin is { } origin ? $" ({origin})" : "")}");
        IReadOnlyList<RegistryEndpoint> endpoints =
            _hostsDirectory?.Load(registryHost, server, log)
            ?? CriEndpoints(registryHost, server, log)
            ?? [server];

        var result = endpoints.Select(e => ApplyGlobal(e)).ToList();
        for (int i = 0; i < result.Count; i++)
        {
            log.Add("endpoint", $"{i + 1}. {result[i].Describe()}: {result[i].Reason}");
        }

        return result;
    }

    /// <summary>Endpoints that can do <paramref name="needed"/>, in order.</summary>
    public IReadOnlyList<RegistryEndpoint> Resolve(string registryHost, HostCapabilities needed, ExplainLog? log = null)
    {
        var all = Resolve(registryHost, log);
        var usable = all.Where(e => e.Can(needed)).ToList();
        foreach (var skipped in all.Where(e => !e.Can(needed) && _skipNoted.TryAdd((e.Root.ToString(), needed), true)))
        {
            log?.Add("endpoint", $"skipping {skipped.Root}: it has capabilities {HostCapabilitiesParser.Describe(skipped.Capabilities)}, this needs {HostCapabilitiesParser.Describe(needed)}");
        }

        if (usable.Count == 0)
        {
            throw new XpkgException($"no endpoint of {registryHost} has the {HostCapabilitiesParser.Describe(needed)} capability",
                $"add \"{HostCapabilitiesParser.Describe(needed).Split(',')[0]}\" to capabilities of a host in the hosts.toml for {registryHost}");
        }

        return usable;
    }

    private RegistryEndpoint DefaultServer(string registryHost)
    {
        string authority = registryHost == ImageReference.DockerHub ? DockerHubServer : registryHost;
        bool insecure = IsInsecure(registryHost);
        bool loopback = LoopbackHost.IsLoopback(registryHost);
        string reason = insecure ? $"the registry itself; --insecure-registry {registryHost}: TLS not verified, plain HTTP if the handshake fails"
            : loopback ? "the registry itself over HTTPS; loopback host, so plain HTTP is tried if the TLS handshake fails"
            : "the registry itself over HTTPS with certificate verification (the default)";
        return new RegistryEndpoint
        {
            Namespace = registryHost,
            Root = HostsTomlFile.ParseHostUrl("https://" + authority, overridePath: false, "default"),
            Tls = new TlsSettings { SkipVerify = insecure },
            AllowHttpFallback = insecure || loopback,
            Reason = reason,
        };
    }

    private IReadOnlyList<RegistryEndpoint>? CriEndpoints(string registryHost, RegistryEndpoint server, ExplainLog log)
    {
        if (_cri is null)
        {
            return null;
        }

        var mirrors = _cri.MirrorsFor(registryHost);
        var result = new List<RegistryEndpoint>();
        foreach (string url in mirrors)
        {
            // containerd's legacy rule: an endpoint without a scheme is http for localhost, https otherwise.
            string withScheme = url.Contains("://", StringComparison.Ordinal) ? url
                : (LoopbackHost.IsLoopback(url.Split('/')[0]) ? "http://" : "https://") + url;
            var root = HostsTomlFile.ParseHostUrl(withScheme, overridePath: false, $"{_cri.Path} mirrors.\"{registryHost}\"");
            var e = new RegistryEndpoint
            {
                Namespace = registryHost,
                Root = root,
                Reason = $"endpoint {result.Count + 1} of mirrors.\"{registryHost}\" in {_cri.Path}",
            };
            if (e.Authority.Equals(server.Authority, StringComparison.OrdinalIgnoreCase))
            {
                e = e with { Reason = e.Reason + " (the registry itself)" };
            }

            result.Add(e);
        }

        if (!result.Any(e => e.Authority.Equals(server.Authority, StringComparison.OrdinalIgnoreCase)))
        {
            result.Add(server with { Reason = server.Reason + (mirrors.Count > 0 ? "; appended after the CRI mirrors" : "") });
        }

        for (int i = 0; i < result.Count; i++)
        {
            var e = result[i];
            if (_cri.TlsFor(e.Authority) is { } tls)
            {
                result[i] = e with { Tls = e.Tls.Merge(tls), Reason = e.Reason + $"; TLS from configs.\"{e.Authority}\".tls" };
                log.Add("tls", $"{e.Authority}: {tls.Describe()} from configs.\"{e.Authority}\".tls in {_cri.Path}");
            }
        }

        return result;
    }

    private RegistryEndpoint ApplyGlobal(RegistryEndpoint e)
    {
        if (_cri?.AuthFor(e.Authority) is { } cred)
        {
            e = e with { ConfiguredCredential = cred };
        }

        if (IsInsecure(e.Authority) && !e.Tls.SkipVerify)
        {
            e = e with { Tls = e.Tls with { SkipVerify = true }, AllowHttpFallback = !e.IsPlainHttp, Reason = e.Reason + $"; --insecure-registry {e.Authority}" };
        }

        if (_options.CaFiles.Count > 0)
        {
            e = e with { Tls = e.Tls.Merge(new TlsSettings { CaFiles = _options.CaFiles }) };
        }

        return e;
    }

    private bool IsInsecure(string authority)
        => _options.InsecureRegistries.Any(i => i.Equals(authority, StringComparison.OrdinalIgnoreCase)
            || (!i.Contains(':', StringComparison.Ordinal) && LoopbackHost.HostOf(authority).Equals(i, StringComparison.OrdinalIgnoreCase)));
}
