namespace Xpkg.Registry.Hosts;

/// <summary>A client certificate and its key. <see cref="KeyFile"/> null: the key is in the same PEM file.</summary>
public sealed record ClientCertificateFiles(string CertificateFile, string? KeyFile);

/// <summary>How to speak TLS to one endpoint. Verification is on unless something explicitly turned it off.</summary>
public sealed record TlsSettings
{
    public static TlsSettings Default { get; } = new();

    public bool SkipVerify { get; init; }

    /// <summary>Extra trusted CA files (PEM), on top of the system roots.</summary>
    public IReadOnlyList<string> CaFiles { get; init; } = [];

    public IReadOnlyList<ClientCertificateFiles> ClientCertificates { get; init; } = [];

    /// <summary>A stable key for sharing one connection pool between endpoints with the same settings.</summary>
    public string CacheKey => $"{SkipVerify}|{string.Join(';', CaFiles)}|{string.Join(';', ClientCertificates.Select(c => c.CertificateFile + "," + c.KeyFile))}";

    public TlsSettings Merge(TlsSettings other) => new()
    {
        SkipVerify = SkipVerify || other.SkipVerify,
        CaFiles = [.. CaFiles.Concat(other.CaFiles).Distinct(StringComparer.Ordinal)],
        ClientCertificates = [.. ClientCertificates.Concat(other.ClientCertificates).Distinct()],
    };

    public string Describe()
    {
        if (SkipVerify)
        {
            return "TLS verification skipped";
        }

        string ca = CaFiles.Count == 0 ? "system CAs" : "system CAs + " + string.Join(", ", CaFiles);
        return ClientCertificates.Count == 0 ? $"TLS verified ({ca})" : $"TLS verified ({ca}), client certificate {ClientCertificates[0].CertificateFile}";
    }
}
