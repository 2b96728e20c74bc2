using System.Text;
using Xpkg.Oci;

namespace Xpkg.Server.Tests;

/// <summary>A small OCI image layout written by the test itself: tag <c>tiny</c> (one image) and <c>multi</c> (an index of it).</summary>
public static class TestLayout
{
    public static (Digest Tiny, Digest Multi) Write(string directory)
    {
        var data = new ConformanceData();
        Directory.CreateDirectory(Path.Combine(directory, "blobs", "sha256"));
        File.WriteAllText(Path.Combine(directory, "oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        WriteBlob(directory, data.Configs[0]);
        WriteBlob(directory, data.Layer);
        var tiny = WriteBlob(directory, data.Manifests[0]);
        byte[] index = Encoding.UTF8.GetBytes("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OciIndex + "\",\"manifests\":[{\"mediaType\":\""
            + MediaTypes.OciManifest + "\",\"digest\":\"" + tiny + "\",\"size\":" + data.Manifests[0].Length
            + ",\"platform\":{\"architecture\":\"amd64\",\"os\":\"linux\"}}]}");
        var multi = WriteBlob(directory, index);
        File.WriteAllText(Path.Combine(directory, "index.json"), "{\"schemaVersion\":2,\"manifests\":["
            + Entry(MediaTypes.OciManifest, tiny, data.Manifests[0].Length, "tiny") + ","
            + Entry(MediaTypes.OciIndex, multi, index.Length, "multi") + "]}");
        return (tiny, multi);
    }

    private static string Entry(string mediaType, Digest digest, long size, string tag)
        => "{\"mediaType\":\"" + mediaType + "\",\"digest\":\"" + digest + "\",\"size\":" + size
            + ",\"annotations\":{\"org.opencontainers.image.ref.name\":\"" + tag + "\"}}";

    private static Digest WriteBlob(string directory, byte[] content)
    {
        var digest = Digest.Compute(content);
        File.WriteAllBytes(Path.Combine(directory, "blobs", "sha256", digest.Encoded), content);
        return digest;
    }
}
