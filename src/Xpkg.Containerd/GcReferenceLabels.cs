using System.Globalization;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient;

/// <summary>
/// The <c>containerd.io/gc.ref.content.*</c> labels a manifest or index carries in containerd, one per child,
/// named as ctr's import names them (images.ChildGCLabels and SetChildrenMappedLabels in containerd 1.6).
/// containerd's garbage collector keeps a child only while some labelled parent points at it.
/// </summary>
public static class GcReferenceLabels
{
    public const string Prefix = "containerd.io/gc.ref.content.";

    public static Dictionary<string, string> For(ParsedManifest manifest)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var counters = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var child in manifest.Children)
        {
            string key = KeyFor(child.MediaType);
            int index = counters.GetValueOrDefault(key);
            counters[key] = index + 1;
            // Keys ending in '.' are always numbered; "config" only from its second use.
            if (index > 0 || key.EndsWith('.'))
            {
                key += index.ToString(CultureInfo.InvariantCulture);
            }

            labels[key] = child.Digest.ToString();
        }

        return labels;
    }

    private static string KeyFor(string mediaType)
    {
        if (mediaType is MediaTypes.OciConfig or MediaTypes.DockerConfig
            or "application/vnd.containerd.container.checkpoint.config.v1+proto"
            or "application/vnd.containerd.container.criu.checkpoint.criu.tar")
        {
            return Prefix + "config";
        }

        if (MediaTypes.IsImageManifest(mediaType))
        {
            return Prefix + "m.";
        }

        return IsLayer(mediaType) ? Prefix + "l." : Prefix;
    }

    private static bool IsLayer(string mediaType)
    {
        if (mediaType.StartsWith("application/vnd.oci.image.layer.", StringComparison.Ordinal))
        {
            return true;
        }

        int plus = mediaType.IndexOf('+', StringComparison.Ordinal);
        string baseType = plus < 0 ? mediaType : mediaType[..plus];
        return baseType is MediaTypes.DockerLayer or MediaTypes.DockerLayerGzip
            or "application/vnd.docker.image.rootfs.foreign.diff.tar" or MediaTypes.DockerForeignLayerGzip;
    }
}
