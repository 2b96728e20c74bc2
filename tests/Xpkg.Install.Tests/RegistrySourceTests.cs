using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Registry;
using Xpkg.Testing;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

/// <summary>Installs from a real local registry into an empty cache, then again from the warm cache with no client at all.</summary>
public sealed class RegistrySourceTests : IDisposable
{
    private readonly TestCache _seed = new();
    private readonly TestCache _cache = new();

    public void Dispose()
    {
        _seed.Dispose();
        _cache.Dispose();
    }

    [Fact]
    public async Task IfNotPresentFetchesOnceThenAnswersFromTheCache()
    {
        using var registry = DistributionRegistry.Start(Path.Combine(_seed.Root, "registry"));
        string repo = registry.Authority + "/org";
        await PushAsync(repo + "/function-dep:v0.1.0", Meta("Function", "function-dep"));
        await PushAsync(repo + "/function-dep:v0.2.0", Meta("Function", "function-dep") + "# v0.2.0\n");
        await PushAsync(repo + "/function-dep:v1.0.0-rc.1", Meta("Function", "function-dep") + "# rc\n");
        await PushAsync(repo + "/configuration-parent:v1.0.0", Meta("Configuration", "parent", Dep("Function", repo + "/function-dep", ">=v0.1.0")));
        var input = await ManifestReader.ParseAsync(PackageManifest("Configuration", "parent", repo + "/configuration-parent:v1.0.0"), "in.yaml", CancellationToken.None);

        int clients = 0;
        var first = await InstallAsync(input, () => clients++);
        int afterFirst = clients;
        Assert.True(afterFirst > 0);
        Assert.All(first.Packages, p => Assert.Equal(ImageOrigin.Registry, p.Image.Origin));
        Assert.Equal("v0.2.0", first.Packages[1].Version);

        var second = await InstallAsync(input, () => clients++);
        Assert.Equal(afterFirst, clients);
        Assert.All(second.Packages, p => Assert.Equal(ImageOrigin.Cache, p.Image.Origin));
        Assert.Empty(second.ChangedFiles);

        // A fresh state directory over the warm cache: dependencies are chosen among cached tags, no client.
        Directory.Delete(_cache.StateDirectory, recursive: true);
        var third = await InstallAsync(input, () => clients++);
        Assert.Equal(afterFirst, clients);
        Assert.Equal("v0.2.0", third.Packages[1].Version);
    }

    private async Task<InstallResult> InstallAsync(ManifestSet input, Action onClient)
    {
        using var source = new RegistryPackageSource(_cache.Store, () =>
        {
            onClient();
            return new RegistryClient(new RegistryClientOptions());
        });
        var installer = new PackageInstaller(_cache.Store, source, new InstallOptions());
        return await installer.InstallAsync(input, _cache.StateDirectory, new InstallLog(), CancellationToken.None);
    }

    private Task PushAsync(string reference, string packageYaml) => RegistrySeed.PushAsync(_seed, reference, packageYaml);
}
