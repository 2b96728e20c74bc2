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
}
