using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Xpkg.Oci;

namespace Xpkg.Packages.Tests;

/// <summary>
/// The real <c>.xpkg</c> fixture (a docker-save tarball) opened with System.Formats.Tar, with the Docker v2s2
/// manifest go-containerregistry would serve for it, optionally with Crossplane's layer annotations.
/// </summary>
internal sealed class XpkgFile
{
    public const string ConfigDigest = "sha256:e310685253a0aee91f4d19cb056a331ade7b518721350689fc95bbfdead661f8";
    public const string BaseLayer = "sha256:2e7cf2bb895e5f0186c25e51b50ae43529dad5f71d6db39e5288822ee4aaae61";
    public const string ExamplesLayer = "sha256:45596ee6ec040ab42e9ea937414a1ab9c5f6da8d731761c56958f04c432477f1";
    public const string ManifestDigest = "sha256:9b3ddecdb8ffacdbaa1e552f6fb2fc9e5b48943e3e4dd1afb5b212b25abd721d";
    public const string AnnotatedManifestDigest = "sha256:16367869e6c7c3a8b303a8187f0cb60db364ac55ab2aa2620a6a57115ddbf7f8";

    public InMemoryContentSource Source { get; } = new();

    public Dictionary<string, byte[]> Entries { get; } = new(StringComparer.Ordinal);

    public static XpkgFile Open()
    {
        var file = new XpkgFile();
        using var reader = new TarReader(File.OpenRead(Fixtures.XpkgFile));
        while (reader.GetNextEntry() is { } entry)
        {
            using var ms = new MemoryStream();
            entry.DataStream?.CopyTo(ms);
            file.Entries[entry.Name] = ms.ToArray();
        }

        var index = JsonDocument.Parse(file.Entries["manifest.json"]).RootElement[0];
        file.Source.Add(file.Entries[index.GetProperty("Config").GetString()!], MediaTypes.DockerConfig);
        foreach (var layer in index.GetProperty("Layers").EnumerateArray())
        {
            file.Source.Add(file.Entries[layer.GetString()!], MediaTypes.DockerLayerGzip);
        }

        return file;
    }

    /// <summary>The manifest as go-containerregistry serialises it (compact, Docker media types).</summary>
    public (Descriptor Root, byte[] Bytes) Manifest(bool annotated)
    {
        string Layer(string digest, int size, string role)
            => $"{{\"mediaType\":\"{MediaTypes.DockerLayerGzip}\",\"size\":{size},\"digest\":\"{digest}\""
                + (annotated ? $",\"annotations\":{{\"io.crossplane.xpkg\":\"{role}\"}}" : "") + "}";

        string json = $"{{\"schemaVersion\":2,\"mediaType\":\"{MediaTypes.DockerManifest}\",\"config\":{{\"mediaType\":\"{MediaTypes.DockerConfig}\",\"size\":555,\"digest\":\"{ConfigDigest}\"}},"
            + $"\"layers\":[{Layer(BaseLayer, 9446, "base")},{Layer(ExamplesLayer, 913, "upbound")}]}}";
        byte[] bytes = Encoding.UTF8.GetBytes(json);
        return (Source.Add(bytes, MediaTypes.DockerManifest), bytes);
    }
}
