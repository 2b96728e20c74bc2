namespace Xpkg.Registry.Hosts;

/// <summary>
/// A containerd <c>certs.d</c>-style directory: <c>DIR/&lt;host&gt;/hosts.toml</c>, looked up as
/// <c>host_port_</c>, then <c>host:port</c>, then <c>_default</c>. A host directory without hosts.toml may
/// hold Docker-style <c>*.crt</c> (CA) and <c>*.cert</c>/<c>*.key</c> (client) files for the server.
/// </summary>
public sealed class HostsDirectory
{
    public HostsDirectory(string root)
    {
        Root = root;
    }

    public string Root { get; }

    /// <summary>The directory that configures <paramref name="registryHost"/>, or null.</summary>
    public string? Find(string registryHost)
    {
        foreach (string name in CandidateNames(registryHost))
        {
            string dir = Path.Combine(Root, name);
            if (Directory.Exists(dir))
            {
                return dir;
            }
        }

        return null;
    }

    internal static IEnumerable<string> CandidateNames(string registryHost)
    {
        int colon = registryHost.LastIndexOf(':');
        bool hasPort = colon > 0 && !registryHost.EndsWith(']');
        if (hasPort)
        {
            // The underscore form exists because ':' is not allowed in Windows paths.
            yield return registryHost[..colon] + "_" + registryHost[(colon + 1)..] + "_";
        }

        yield return registryHost;
        yield return "_default";
    }

    /// <summary>Endpoints for the host, or null when the directory says nothing about it.</summary>
    public IReadOnlyList<RegistryEndpoint>? Load(string registryHost, RegistryEndpoint defaultServer, ExplainLog log)
    {
        string? dir = Find(registryHost);
        if (dir is null)
        {
            log.Add("hosts", $"no directory for {registryHost} in {Root} (looked for {string.Join(", ", CandidateNames(registryHost))})");
            return null;
        }

        string toml = Path.Combine(dir, "hosts.toml");
        if (File.Exists(toml))
        {
            log.Add("hosts", $"using {toml} for {registryHost}");
            return HostsTomlFile.Load(toml, registryHost, defaultServer);
        }

        var tls = CertificateFiles(dir);
        log.Add("hosts", $"{dir} has no hosts.toml; Docker-style certificate files: {tls.CaFiles.Count} CA, {tls.ClientCertificates.Count} client");
        return [defaultServer with { Tls = defaultServer.Tls.Merge(tls), Reason = defaultServer.Reason + $"; certificates from {dir}" }];
    }

    /// <summary>Docker's certs.d convention: every <c>*.crt</c> is a CA, <c>x.cert</c> pairs with <c>x.key</c>.</summary>
    public static TlsSettings CertificateFiles(string dir)
    {
        var cas = Directory.GetFiles(dir, "*.crt").Order(StringComparer.Ordinal).ToList();
        var clients = new List<ClientCertificateFiles>();
        foreach (string cert in Directory.GetFiles(dir, "*.cert").Order(StringComparer.Ordinal))
        {
            string key = Path.ChangeExtension(cert, ".key");
            if (!File.Exists(key))
            {
                throw new Oci.InvalidInputException($"{cert} has no matching key file {Path.GetFileName(key)}", "a client certificate x.cert needs its key in x.key beside it");
            }

            clients.Add(new ClientCertificateFiles(cert, key));
        }

        return new TlsSettings { CaFiles = cas, ClientCertificates = clients };
    }
}
