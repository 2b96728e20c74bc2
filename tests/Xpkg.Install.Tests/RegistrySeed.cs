using System.Text.Json;
using Xpkg.Oci;
using Xpkg.Registry;
using Xpkg.Transfer;

namespace Xpkg.Install.Tests;

/// <summary>Builds packages in a seed cache and pushes them to a real registry with the copy engine.</summary>
internal static class RegistrySeed
{
    public static async Task<Digest> PushAsync(TestCache seed, string reference, string packageYaml, RegistryClientOptions? options = null)
    {
        var digest = await seed.AddPackageAsync(reference, packageYaml);
        var parsed = ImageReference.Parse(reference);
        var entry = await ImageLookup.RequireAsync(seed.Store, reference, CancellationToken.None);
        using var client = new RegistryClient(options ?? new RegistryClientOptions());
        var target = client.Repository(parsed);
        await CopyEngine.CopyAsync(seed.Store, entry.Root, target, new CopyOptions(), CancellationToken.None);
        await target.TagAsync(parsed.Tag, entry.Root, "test", CancellationToken.None);
        return digest;
    }

    /// <summary>
    /// Pushes one package per platform (each <paramref name="packageYaml"/> with its platform as a comment, so digests
    /// differ) by digest, then an OCI index over them under the tag, as <c>push --package-files</c> does.
    /// </summary>
    public static async Task<Digest> PushIndexAsync(TestCache seed, string reference, string packageYaml, IReadOnlyList<Platform> platforms)
    {
        var parsed = ImageReference.Parse(reference);
        using var client = new RegistryClient(new RegistryClientOptions());
        var target = client.Repository(parsed);
        var children = new List<Descriptor>();
        foreach (var platform in platforms)
        {
            string child = $"{parsed.Name}:child-{platform.ToString().Replace('/', '-')}";
            await seed.AddPackageAsync(child, packageYaml + $"# {platform}\n");
            var entry = await ImageLookup.RequireAsync(seed.Store, child, CancellationToken.None);
            await CopyEngine.CopyAsync(seed.Store, entry.Root, target, new CopyOptions(), CancellationToken.None);
            children.Add(entry.Root with { Platform = platform });
        }

        byte[] index = JsonSerializer.SerializeToUtf8Bytes(new OciIndexDocument { Manifests = children }, OciJsonContext.Relaxed.OciIndexDocument);
        var root = Descriptor.For(MediaTypes.OciIndex, index);
        await target.PutManifestAsync(parsed.Tag!, root, index, CancellationToken.None);
        return root.Digest;
    }
}
