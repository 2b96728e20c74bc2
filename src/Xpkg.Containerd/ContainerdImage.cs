using Xpkg.Oci;

namespace Xpkg.ContainerdClient;

/// <summary>One image record of containerd's image service: a name pointing at a root descriptor.</summary>
public sealed record ContainerdImage(string Name, Descriptor Target, IReadOnlyDictionary<string, string> Labels)
{
    internal static ContainerdImage From(Api.Images.Image image)
        => new(image.Name, DescriptorMapping.FromContainerd(image.Target), new Dictionary<string, string>(image.Labels, StringComparer.Ordinal));
}
