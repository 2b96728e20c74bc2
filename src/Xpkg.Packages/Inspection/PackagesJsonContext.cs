using System.Text.Json.Serialization;

namespace Xpkg.Packages.Inspection;

/// <summary>Source-generated JSON metadata for the package summary (no reflection, trimming safe).</summary>
[JsonSourceGenerationOptions(WriteIndented = false)]
[JsonSerializable(typeof(PackageSummary))]
public sealed partial class PackagesJsonContext : JsonSerializerContext
{
}
