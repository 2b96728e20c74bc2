using Tomlyn.Model;
using Xpkg.Oci;
using Xpkg.Registry.Auth;

namespace Xpkg.Registry.Hosts;

/// <summary>
/// The legacy CRI registry section of a containerd <c>config.toml</c>, exactly as users paste it:
/// <c>[plugins."io.containerd.grpc.v1.cri".registry.mirrors."host"] endpoint = [...]</c> and
/// <c>registry.configs."host".tls</c> / <c>.auth</c>.
/// </summary>
public sealed class CriRegistryConfig
{
    private static readonly string[] PluginNames = ["io.containerd.grpc.v1.cri", "io.containerd.cri.v1.images"];

    private readonly Dictionary<string, List<string>> _mirrors = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, TlsSettings> _tls = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Credential> _auth = new(StringComparer.OrdinalIgnoreCase);

    private CriRegistryConfig(string path)
    {
        Path = path;
    }

    public string Path { get; }

    public static CriRegistryConfig Load(string path)
    {
        TomlTable root;
        try
        {
            root = Tomlyn.TomlSerializer.Deserialize<TomlTable>(File.ReadAllText(path)) ?? new TomlTable();
        }
        catch (Exception e) when (e is not XpkgException and not IOException)
        {
            throw new InvalidInputException($"{path}: not valid TOML: {e.Message}", inner: e);
        }

        var config = new CriRegistryConfig(path);
        if (root.TryGetValue("plugins", out object? p) && p is TomlTable plugins)
        {
            foreach (string name in PluginNames)
            {
                if (plugins.TryGetValue(name, out object? cri) && cri is TomlTable criTable
                    && criTable.TryGetValue("registry", out object? r) && r is TomlTable registry)
                {
                    config.Read(registry, $"{path} [plugins.\"{name}\".registry]");
                }
            }
        }

        return config;
    }

    private void Read(TomlTable registry, string where)
    {
        if (registry.TryGetValue("mirrors", out object? m) && m is TomlTable mirrors)
        {
            foreach (var (host, value) in mirrors)
            {
                if (value is TomlTable t && t.TryGetValue("endpoint", out object? ep) && ep is TomlArray list)
                {
                    _mirrors[host] = [.. list.Select(x => x as string ?? throw new InvalidInputException($"{where}.mirrors.\"{host}\": endpoint must be a list of URLs"))];
                }
            }
        }

        if (registry.TryGetValue("configs", out object? c) && c is TomlTable configs)
        {
            foreach (var (host, value) in configs)
            {
                if (value is not TomlTable t)
                {
                    continue;
                }

                if (t.TryGetValue("tls", out object? tlsObj) && tlsObj is TomlTable tls)
                {
                    _tls[host] = new TlsSettings
                    {
                        SkipVerify = tls.TryGetValue("insecure_skip_verify", out object? sv) && sv is true,
                        CaFiles = tls.TryGetValue("ca_file", out object? ca) && ca is string caFile && caFile.Length > 0 ? [caFile] : [],
                        ClientCertificates = tls.TryGetValue("cert_file", out object? cf) && cf is string certFile && certFile.Length > 0
                            ? [new ClientCertificateFiles(certFile, tls.TryGetValue("key_file", out object? kf) && kf is string keyFile && keyFile.Length > 0 ? keyFile : null)]
                            : [],
                    };
                }

                if (t.TryGetValue("auth", out object? authObj) && authObj is TomlTable auth)
                {
                    _auth[host] = ReadAuth(auth, $"{where}.configs.\"{host}\".auth");
                }
            }
        }
    }

    private static Credential ReadAuth(TomlTable auth, string source)
    {
        string? Get(string k) => auth.TryGetValue(k, out object? v) && v is string s && s.Length > 0 ? s : null;
        string? user = Get("username");
        string? pass = Get("password");
        if (Get("auth") is string encoded)
        {
            (user, pass) = DockerConfigFile.DecodeAuth(encoded, source);
        }

        return new Credential(user, pass, Get("identitytoken"), null, source);
    }

    /// <summary>Mirror endpoints for the host (or for <c>"*"</c>), in file order; empty when none are configured.</summary>
    public IReadOnlyList<string> MirrorsFor(string registryHost)
        => _mirrors.TryGetValue(registryHost, out var list) ? list : _mirrors.TryGetValue("*", out var any) ? any : [];

    public TlsSettings? TlsFor(string authority) => _tls.TryGetValue(authority, out var t) ? t : null;

    public Credential? AuthFor(string authority) => _auth.TryGetValue(authority, out var a) ? a : null;
}
