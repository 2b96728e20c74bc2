using Xpkg.ContainerdClient.Api.Types;
using Xpkg.Oci;

namespace Xpkg.ContainerdClient;

/// <summary>OCI descriptors to and from containerd's descriptor message.</summary>
internal static class DescriptorMapping
{
    public static Descriptor FromContainerd(ContentDescriptor? target)
    {
        if (target is null || !Digest.TryParse(target.Digest, out var digest))
        {
            throw new XpkgException($"containerd returned an image without a valid target digest ({target?.Digest ?? "none"})");
        }

        return new Descriptor
        {
            MediaType = target.MediaType,
            Digest = digest,
            Size = target.Size,
            Annotations = target.Annotations.Count == 0 ? null : new Dictionary<string, string>(target.Annotations, StringComparer.Ordinal),
        };
    }

    public static ContentDescriptor ToContainerd(Descriptor descriptor)
    {
        var target = new ContentDescriptor
        {
            MediaType = descriptor.MediaType,
            Digest = descriptor.Digest.ToString(),
            Size = descriptor.Size,
        };
        if (descriptor.Annotations is not null)
        {
            foreach (var (key, value) in descriptor.Annotations)
            {
                target.Annotations[key] = value;
            }
        }

        return target;
    }
}
