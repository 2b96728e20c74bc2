using System.Text.Json.Serialization;

namespace Xpkg.Oci;

/// <summary>The platform an image runs on, with containerd's normalisation for matching.</summary>
public sealed record Platform
{
    [JsonPropertyName("architecture")]
    public string Architecture { get; init; } = "";

    [JsonPropertyName("os")]
    public string OS { get; init; } = "";

    [JsonPropertyName("os.version")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? OSVersion { get; init; }

    [JsonPropertyName("os.features")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? OSFeatures { get; init; }

    [JsonPropertyName("variant")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Variant { get; init; }

    public static Platform Default { get; } = new() { OS = "linux", Architecture = "amd64" };

    /// <summary>Parses <c>os/arch[/variant]</c>.</summary>
    public static Platform Parse(string value)
    {
        string[] parts = value.Split('/');
        if (parts.Length is < 2 or > 3 || parts.Any(string.IsNullOrWhiteSpace))
        {
            throw new InvalidInputException($"invalid platform \"{value}\"", "use OS/ARCH[/VARIANT], for example linux/arm64/v8");
        }

        return new Platform
        {
            OS = parts[0].ToLowerInvariant(),
            Architecture = parts[1].ToLowerInvariant(),
            Variant = parts.Length == 3 ? parts[2].ToLowerInvariant() : null,
        };
    }

    /// <summary>True when <paramref name="candidate"/> (from an index) can serve a request for this platform.</summary>
    public bool Matches(Platform? candidate)
    {
        if (candidate is null)
        {
            return false;
        }

        var (arch, variant) = Normalize(Architecture, Variant);
        var (candArch, candVariant) = Normalize(candidate.Architecture, candidate.Variant);
        if (!string.Equals(OS, candidate.OS, StringComparison.OrdinalIgnoreCase) || arch != candArch)
        {
            return false;
        }

        return variant is null || candVariant is null || variant == candVariant;
    }

    public override string ToString() => Variant is null ? $"{OS}/{Architecture}" : $"{OS}/{Architecture}/{Variant}";

    // The same equivalences containerd's platforms package applies: arm64 means v8, amd64/v1 means amd64.
    private static (string Arch, string? Variant) Normalize(string arch, string? variant)
    {
        arch = arch.ToLowerInvariant();
        variant = string.IsNullOrEmpty(variant) ? null : variant.ToLowerInvariant();
        switch (arch)
        {
            case "x86_64" or "x86-64":
                return ("amd64", variant == "v1" ? null : variant);
            case "amd64":
                return ("amd64", variant == "v1" ? null : variant);
            case "aarch64" or "arm64":
                return ("arm64", variant is null or "8" or "v8" ? "v8" : variant);
            case "armhf":
                return ("arm", "v7");
            case "armel":
                return ("arm", "v6");
            case "arm":
                return ("arm", variant switch { null or "7" => "v7", "5" or "6" or "8" => "v" + variant, _ => variant });
            case "i386":
                return ("386", variant);
            default:
                return (arch, variant);
        }
    }
}
