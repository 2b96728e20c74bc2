using Xpkg.Registry.Auth;

namespace Xpkg.Registry.Hosts;

/// <summary>
/// One place a repository of a registry can be reached: a mirror or the registry's own server, with the
/// scheme, TLS settings, headers and capabilities that apply, and the reason it was chosen.
/// </summary>
public sealed record RegistryEndpoint
{
    /// <summary>The registry host the reference names (the <c>ns</c> of mirror requests), e.g. <c>docker.io</c>.</summary>
    public required string Namespace { get; init; }

    /// <summary>URL that API paths are appended to, normally <c>scheme://host[:port]/v2</c>.</summary>
    public required Uri Root { get; init; }

    public HostCapabilities Capabilities { get; init; } = HostCapabilities.All;

    public TlsSettings Tls { get; init; } = TlsSettings.Default;

    public IReadOnlyDictionary<string, IReadOnlyList<string>> Headers { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    public TimeSpan? DialTimeout { get; init; }

    /// <summary>
    /// Plain HTTP may be tried after HTTPS fails at the TLS handshake (loopback hosts, insecure registries).
    /// </summary>
    public bool AllowHttpFallback { get; init; }

    /// <summary>Credentials from the legacy CRI <c>configs."host".auth</c>; they win over Docker's config.json.</summary>
    public Credential? ConfiguredCredential { get; init; }

    /// <summary>Why this endpoint is in the list, for <c>--explain</c>.</summary>
    public required string Reason { get; init; }

    /// <summary>The endpoint's authority, e.g. <c>mirror.example:5000</c>.</summary>
    public string Authority => Root.IsDefaultPort ? Root.Host : $"{Root.Host}:{Root.Port}";

    /// <summary>True for a mirror: requests carry <c>?ns=</c> naming the original registry.</summary>
    public bool IsMirror => !string.Equals(Authority, Namespace, StringComparison.OrdinalIgnoreCase)
        && !(Namespace == Oci.ImageReference.DockerHub && Authority == HostResolver.DockerHubServer);

    public bool IsPlainHttp => Root.Scheme == Uri.UriSchemeHttp;

    public bool Can(HostCapabilities needed) => (Capabilities & needed) == needed;

    /// <summary>The same endpoint spoken over plain HTTP (after a TLS handshake failure).</summary>
    public RegistryEndpoint AsPlainHttp()
        => this with { Root = new UriBuilder(Root) { Scheme = Uri.UriSchemeHttp, Port = Root.IsDefaultPort ? -1 : Root.Port }.Uri, AllowHttpFallback = false };

    public string Describe()
        => $"{Root} ({(IsMirror ? "mirror" : "server")}, {HostCapabilitiesParser.Describe(Capabilities)}, {(IsPlainHttp ? "plain HTTP" : Tls.Describe())}"
            + (AllowHttpFallback && !IsPlainHttp ? ", plain HTTP fallback on TLS handshake failure" : "") + ")";
}
