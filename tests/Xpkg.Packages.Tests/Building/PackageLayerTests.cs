using System.Formats.Tar;
using System.IO.Compression;
using Xpkg.Oci;
using Xpkg.Packages.Building;

namespace Xpkg.Packages.Tests.Building;

public class PackageLayerTests
{
    [Fact]
    public async Task Layer_of_the_fixture_stream_has_crossplanes_layout_and_is_deterministic()
    {
        var xpkg = XpkgFile.Open();
        byte[] packageYaml = ExtractSingleEntry(xpkg.Entries[XpkgFile.BaseLayer["sha256:".Length..] + ".tar.gz"], out string name);
        Assert.Equal("package.yaml", name);

        string dir = Directory.CreateTempSubdirectory("xpkg-layer-").FullName;
        try
        {
            var layer = await PackageLayer.WriteAsync("package.yaml", new MemoryStream(packageYaml), "base", Path.Combine(dir, "a"), MediaTypes.DockerLayerGzip, CancellationToken.None);
            var again = await PackageLayer.WriteAsync("package.yaml", new MemoryStream(packageYaml), "base", Path.Combine(dir, "b"), MediaTypes.DockerLayerGzip, CancellationToken.None);
            Assert.Equal(layer.Descriptor, again.Descriptor);
            Assert.Equal(layer.DiffId, again.DiffId);

            byte[] blob = File.ReadAllBytes(layer.BlobPath);
            Assert.Equal(blob.Length, layer.Descriptor.Size);
            Assert.Equal(layer.Descriptor.Digest, Digest.Compute(blob));
            Assert.Equal(packageYaml, ExtractSingleEntry(blob, out _));

            // Same layout as Go's archive/tar output (header, padded data, two end blocks); the bytes differ
            // only in the devmajor/devminor fields, which System.Formats.Tar leaves empty for regular files.
            byte[] tar = Decompress(blob);
            Assert.Equal(62464, tar.Length);
            Assert.Equal(layer.DiffId, Digest.Compute(tar));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static byte[] Decompress(byte[] gzip)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress))
        {
            gz.CopyTo(ms);
        }

        return ms.ToArray();
    }

    internal static byte[] ExtractSingleEntry(byte[] gzipTar, out string name)
    {
        using var reader = new TarReader(new GZipStream(new MemoryStream(gzipTar), CompressionMode.Decompress));
        var entry = reader.GetNextEntry() ?? throw new InvalidDataException("empty layer");
        name = entry.Name;
        Assert.Equal(TarEntryType.RegularFile, entry.EntryType);
        Assert.Equal(0, entry.Uid);
        Assert.Equal(DateTimeOffset.UnixEpoch, entry.ModificationTime);
        using var ms = new MemoryStream();
        entry.DataStream!.CopyTo(ms);
        Assert.Null(reader.GetNextEntry());
        return ms.ToArray();
    }
}
