using Xpkg.Oci;
using static Xpkg.Server.ClusterConfig.ConfigText;

namespace Xpkg.Server.ClusterConfig;

/// <summary>
/// What a cluster needs to pull from <c>xpkg serve</c> at one address: containerd's <c>hosts.toml</c>, the kind
/// patch that makes nodes read it, the KEP-1755 ConfigMap, and Crossplane's ImageConfig and CA bundle.
/// Each piece is text ready to copy into a file.
/// </summary>
public sealed class RegistryClusterConfig
{
    /// <summary>Crossplane's default package registry; packages named under it are rewritten to the local registry.</summary>
    public const string DefaultPrefix = "xpkg.crossplane.io/";

    public const string DefaultName = "xpkg-local-registry";

    /// <summary>Where containerd looks for <c>&lt;host:port&gt;/hosts.toml</c> once <c>config_path</c> points there.</summary>
    public const string CertsDirectory = "/etc/containerd/certs.d";

    /// <summary>The ConfigMap key that holds the CA, and the file name containerd's <c>hosts.toml</c> points at.</summary>
    public const string CaKey = "ca.crt";

    public const string CrossplaneNamespace = "crossplane-system";

    private RegistryClusterConfig(RegistryAddress address, string? caFile, string prefix, string name)
    {
        Address = address;
        CaFile = caFile;
        Prefix = prefix;
        Name = name;
    }

    public RegistryAddress Address { get; }

    /// <summary>The CA certificate (full path) that clients trust; null for plain HTTP.</summary>
    public string? CaFile { get; }

    public string Prefix { get; }

    /// <summary>The ImageConfig's name; the CA ConfigMap is <c>&lt;name&gt;-ca</c>.</summary>
    public string Name { get; }

    public string Scheme => CaFile is null ? "http" : "https";

    public string HostsDir => $"{CertsDirectory}/{Address.Authority}";

    public string CaConfigMapName => Name + "-ca";

    /// <summary>
    /// The ImageConfig's target. The served repositories are cache references without their registry host, so the
    /// rewrite keeps the prefix's repository path: <c>example.test/org/</c> becomes <c>HOST:PORT/org/</c>.
    /// </summary>
    public string RewritePrefix => $"{Address.Authority}/{Prefix[(Prefix.IndexOf('/', StringComparison.Ordinal) + 1)..]}";

    public static RegistryClusterConfig Create(string address, string? caFile = null, string? prefix = null, string? name = null)
    {
        var parsed = RegistryAddress.Parse(address);
        string? ca = null;
        if (caFile is not null)
        {
            ca = Path.GetFullPath(caFile);
            if (!File.Exists(ca))
            {
                throw new InvalidInputException($"CA certificate {caFile} does not exist", "xpkg serve --tls auto keeps it at <cache>/tls/ca.crt");
            }
        }

        return new RegistryClusterConfig(parsed, ca, ValidPrefix(prefix ?? DefaultPrefix), ValidName(name ?? DefaultName));
    }

    public string HostsToml
    {
        get
        {
            string server = Quote($"{Scheme}://{Address.Authority}");
            string ca = CaFile is null ? "" : $"ca = {Quote($"{HostsDir}/{CaKey}")}";

            // The host entry answers pulls; pushes (ctr push, nerdctl push) go to the server entry, which has every
            // capability, so the CA is named at the top level too.
            return $"""
                server = {server}{(ca.Length > 0 ? "\n" + ca : "")}

                [host.{server}]
                  capabilities = ["pull", "resolve"]{(ca.Length > 0 ? "\n  " + ca : "")}

                """;
        }
    }

    /// <summary>kind's local-registry recipe: nodes read <c>certs.d</c>, mounted from the same directory on the machine.</summary>
    public string KindConfig => $"""
        kind: Cluster
        apiVersion: kind.x-k8s.io/v1alpha4
        containerdConfigPatches:
        - |-
          [plugins."io.containerd.grpc.v1.cri".registry]
            config_path = "{CertsDirectory}"
        nodes:
        - role: control-plane
          extraMounts:
          - hostPath: {CertsDirectory}
            containerPath: {CertsDirectory}
            readOnly: true

        """;

    /// <summary>KEP-1755: tells cluster tools where the local registry is.</summary>
    public string LocalRegistryHosting => $"""
        apiVersion: v1
        kind: ConfigMap
        metadata:
          name: local-registry-hosting
          namespace: kube-public
        data:
          localRegistryHosting.v1: |
            host: {Quote(Address.Authority)}

        """;

    public string ImageConfig => $"""
        apiVersion: pkg.crossplane.io/v1beta1
        kind: ImageConfig
        metadata:
          name: {Name}
        spec:
          matchImages:
          - type: Prefix
            prefix: {Quote(Prefix)}
          rewriteImage:
            prefix: {Quote(RewritePrefix)}

        """;

    /// <summary>The Crossplane chart mounts this ConfigMap at <c>/certs</c> and trusts <c>/certs/&lt;key&gt;</c>; null without a CA.</summary>
    public string? HelmValues => CaFile is null ? null : $"""
        registryCaBundleConfig:
          name: {CaConfigMapName}
          key: {CaKey}

        """;

    /// <summary>Creates the ConfigMap that <see cref="HelmValues"/> names; null without a CA.</summary>
    public string? CaConfigMapCommand => CaFile is null ? null
        : $"kubectl -n {CrossplaneNamespace} create configmap {CaConfigMapName} --from-file={CaKey}={ShellWord(CaFile)}\n";

    /// <summary>Every piece with a title saying what it is and where it goes, in the order a user applies them.</summary>
    public IReadOnlyList<(string Title, string Text)> Pieces()
    {
        var pieces = new List<(string, string)>
        {
            ($"containerd: {HostsDir}/hosts.toml" + (CaFile is null ? "" : $" (and {CaFile} copied to {HostsDir}/{CaKey})"), HostsToml),
            ("kind cluster config (kind create cluster --config FILE)", KindConfig),
            ("kube-public/local-registry-hosting ConfigMap (kubectl apply -f FILE)", LocalRegistryHosting),
            ($"Crossplane ImageConfig: {Prefix} -> {RewritePrefix} (kubectl apply -f FILE)", ImageConfig),
        };
        if (CaFile is not null)
        {
            pieces.Add(("Crossplane CA bundle ConfigMap", CaConfigMapCommand!));
            pieces.Add(($"Crossplane Helm values (helm install ... -n {CrossplaneNamespace} -f FILE)", HelmValues!));
        }

        return pieces;
    }

    private static string ValidPrefix(string prefix)
    {
        // Crossplane matches plain string prefixes; a bare registry host would also match "host.other/…".
        if (!prefix.Contains('/', StringComparison.Ordinal))
        {
            prefix += "/";
        }

        if (prefix.Length == 1 || !prefix.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || "._-/:@".Contains(c, StringComparison.Ordinal)))
        {
            throw new InvalidInputException($"invalid prefix \"{prefix}\"", "give the start of package references, e.g. registry.example/org/");
        }

        return prefix;
    }

    private static string ValidName(string name)
    {
        // A Kubernetes object name (DNS subdomain); the CA ConfigMap adds "-ca".
        if (name.Length is 0 or > 250 || !name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.')
            || !char.IsAsciiLetterOrDigit(name[0]) || !char.IsAsciiLetterOrDigit(name[^1]))
        {
            throw new InvalidInputException($"invalid name \"{name}\"", "use lower-case letters, digits, '-' and '.', starting and ending with a letter or digit");
        }

        return name;
    }
}
