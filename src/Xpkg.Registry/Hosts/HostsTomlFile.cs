using Tomlyn.Model;
using Xpkg.Oci;

namespace Xpkg.Registry.Hosts;

/// <summary>
/// Reads one containerd <c>hosts.toml</c> (the <c>certs.d</c> layout) into endpoints: the <c>[host."…"]</c>
/// tables in file order, then <c>server</c>. Relative file paths are relative to the hosts.toml.
/// </summary>
public static class HostsTomlFile
{
    public static IReadOnlyList<RegistryEndpoint> Load(string path, string registryHost, RegistryEndpoint defaultServer)
    {
        string text = File.ReadAllText(path);
        TomlTable root;
        try
        {
            root = Tomlyn.TomlSerializer.Deserialize<TomlTable>(text)
                ?? throw new InvalidInputException($"{path}: empty TOML document");
        }
        catch (Exception e) when (e is not XpkgException)
        {
            throw new InvalidInputException($"{path}: not valid TOML: {e.Message}", "see containerd's docs/hosts.md for the hosts.toml format", e);
        }

        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var endpoints = new List<RegistryEndpoint>();
        if (root.TryGetValue("host", out object? hostsObj))
        {
            if (hostsObj is not TomlTable hosts)
            {
                throw new InvalidInputException($"{path}: \"host\" must be a table of [host.\"scheme://name\"] sections");
            }

            foreach (var (key, value) in hosts)
            {
                if (value is not TomlTable table)
                {
                    throw new InvalidInputException($"{path}: host \"{key}\" must be a table");
                }

                var endpoint = ReadEntry(table, key, registryHost, dir, $"{path} [host.\"{key}\"]", isServer: false);
                endpoints.Add(endpoint with { Reason = $"mirror from {path} [host.\"{key}\"] (file order {endpoints.Count + 1})" });
            }
        }

        string? server = root.TryGetValue("server", out object? s) ? s as string ?? throw new InvalidInputException($"{path}: \"server\" must be a string") : null;
        RegistryEndpoint serverEndpoint;
        if (server is null)
        {
            // Without "server" the registry itself is the last resort, with the top-level TLS settings.
            var top = ReadEntry(root, defaultServer.Root.GetLeftPart(UriPartial.Authority), registryHost, dir, path, isServer: true);
            serverEndpoint = defaultServer with
            {
                Capabilities = root.ContainsKey("capabilities") ? top.Capabilities : defaultServer.Capabilities,
                Tls = defaultServer.Tls.Merge(top.Tls),
                Headers = top.Headers,
                DialTimeout = top.DialTimeout,
                Reason = defaultServer.Reason + $"; {path} has no server, TLS settings from its top level",
            };
        }
        else
        {
            serverEndpoint = ReadEntry(root, server, registryHost, dir, path, isServer: true)
                with { Reason = $"server = \"{server}\" from {path} (tried last)" };
        }

        // A host entry that names the server itself would be tried twice; containerd keeps the first.
        if (!endpoints.Any(e => e.Root == serverEndpoint.Root))
        {
            endpoints.Add(serverEndpoint);
        }

        return endpoints;
    }

    private static RegistryEndpoint ReadEntry(TomlTable t, string url, string registryHost, string dir, string where, bool isServer)
    {
        bool overridePath = t.TryGetValue("override_path", out object? op) && op is true;
        Uri root = ParseHostUrl(url, overridePath, where);
        var tls = new TlsSettings
        {
            SkipVerify = t.TryGetValue("skip_verify", out object? sv) && (sv as bool? ?? throw new InvalidInputException($"{where}: skip_verify must be true or false")),
            CaFiles = [.. Strings(t, "ca", where).Select(p => Resolve(dir, p))],
            ClientCertificates = ClientPairs(t, dir, where),
        };
        var caps = t.TryGetValue("capabilities", out _)
            ? HostCapabilitiesParser.Parse(Strings(t, "capabilities", where), where)
            : HostCapabilities.All;
        // Without a scheme the URL means https; on a loopback host the scheme rule's HTTP fallback applies.
        bool implicitScheme = !url.Contains("://", StringComparison.Ordinal);
        return new RegistryEndpoint
        {
            Namespace = registryHost,
            Root = root,
            AllowHttpFallback = implicitScheme && LoopbackHost.IsLoopback(root.IsDefaultPort ? root.Host : $"{root.Host}:{root.Port}"),
            Capabilities = caps,
            Tls = tls,
            Headers = Headers(t, where),
            DialTimeout = t.TryGetValue("dial_timeout", out object? dt) ? ParseDuration(dt as string, where) : null,
            Reason = isServer ? $"server from {where}" : $"host from {where}",
        };
    }

    /// <summary><c>host</c>, <c>host:port</c> or <c>scheme://host[/path]</c>; no scheme means https.</summary>
    internal static Uri ParseHostUrl(string url, bool overridePath, string where)
    {
        string withScheme = url.Contains("://", StringComparison.Ordinal) ? url : "https://" + url;
        if (!Uri.TryCreate(withScheme, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps)
            || !string.IsNullOrEmpty(u.Query) || !string.IsNullOrEmpty(u.UserInfo))
        {
            throw new InvalidInputException($"{where}: \"{url}\" is not a registry URL", "use scheme://host[:port][/path], for example https://mirror.example.com:5000");
        }

        string path = u.AbsolutePath.TrimEnd('/');
        if (!overridePath && !path.EndsWith("/v2", StringComparison.Ordinal))
        {
            path += "/v2";
        }

        return new UriBuilder(u.Scheme, u.Host, u.Port, path).Uri;
    }

    private static string Resolve(string dir, string p) => Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(dir, p));

    private static IEnumerable<string> Strings(TomlTable t, string key, string where)
    {
        if (!t.TryGetValue(key, out object? v))
        {
            return [];
        }

        return v switch
        {
            string s => [s],
            TomlArray a => a.Select(x => x as string ?? throw new InvalidInputException($"{where}: \"{key}\" must be a string or a list of strings")).ToList(),
            _ => throw new InvalidInputException($"{where}: \"{key}\" must be a string or a list of strings"),
        };
    }

    // containerd accepts "cert.pem", ["a.pem", "b.pem"] and [["cert.pem", "key.pem"], ...].
    private static IReadOnlyList<ClientCertificateFiles> ClientPairs(TomlTable t, string dir, string where)
    {
        if (!t.TryGetValue("client", out object? v))
        {
            return [];
        }

        var result = new List<ClientCertificateFiles>();
        IEnumerable<object?> items = v is TomlArray arr ? arr : [v];
        foreach (object? item in items)
        {
            switch (item)
            {
                case string s:
                    result.Add(new ClientCertificateFiles(Resolve(dir, s), null));
                    break;
                case TomlArray pair when pair.Count == 2 && pair[0] is string c && pair[1] is string k:
                    result.Add(new ClientCertificateFiles(Resolve(dir, c), Resolve(dir, k)));
                    break;
                default:
                    throw new InvalidInputException($"{where}: \"client\" must be a path, a list of paths or a list of [cert, key] pairs");
            }
        }

        return result;
    }

    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Headers(TomlTable t, string where)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase);
        if (!t.TryGetValue("header", out object? v))
        {
            return result;
        }

        if (v is not TomlTable headers)
        {
            throw new InvalidInputException($"{where}: \"header\" must be a table");
        }

        foreach (var (name, _) in headers)
        {
            result[name] = [.. Strings(headers, name, where + " header")];
        }

        return result;
    }

    /// <summary>Go duration strings as containerd writes them: <c>200ms</c>, <c>5s</c>, <c>1m30s</c>.</summary>
    internal static TimeSpan ParseDuration(string? value, string where)
    {
        var m = System.Text.RegularExpressions.Regex.Matches(value ?? "", @"(\d+(?:\.\d+)?)(ms|us|µs|ns|s|m|h)");
        if (string.IsNullOrEmpty(value) || m.Sum(x => x.Length) != value.Length)
        {
            throw new InvalidInputException($"{where}: dial_timeout \"{value}\" is not a duration", "write durations like \"200ms\", \"5s\" or \"1m\"");
        }

        double ms = 0;
        foreach (System.Text.RegularExpressions.Match x in m)
        {
            double n = double.Parse(x.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            ms += x.Groups[2].Value switch { "h" => n * 3_600_000, "m" => n * 60_000, "s" => n * 1000, "ms" => n, _ => n / 1000 };
        }

        return TimeSpan.FromMilliseconds(ms);
    }
}
