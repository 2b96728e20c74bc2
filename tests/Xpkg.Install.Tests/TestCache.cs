using System.Text;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Install.State;
using Xpkg.Oci;
using Xpkg.Packages.Building;
using Xpkg.Store;

namespace Xpkg.Install.Tests;

/// <summary>A temporary cache and state directory; packages are built in the test and tagged into the cache.</summary>
internal sealed class TestCache : IDisposable
{
    public TestCache()
    {
        Root = Path.Combine(Path.GetTempPath(), "xpkg-install-" + Guid.NewGuid().ToString("N")[..12]);
        Store = ContentStore.Open(Path.Combine(Root, "cache"));
        StateDirectory = Path.Combine(Root, "state");
    }

    public string Root { get; }

    public ContentStore Store { get; }

    public string StateDirectory { get; }

    /// <summary>Builds a package image (config + one layer holding package.yaml) and tags it; returns the manifest digest.</summary>
    public async Task<Digest> AddPackageAsync(string reference, string packageYaml)
    {
        string layerPath = Path.Combine(Root, Guid.NewGuid().ToString("N") + ".layer");
        Directory.CreateDirectory(Root);
        PackageLayer layer;
        using (var content = new MemoryStream(Encoding.UTF8.GetBytes(packageYaml)))
        {
            layer = await PackageLayer.WriteAsync("package.yaml", content, "base", layerPath, MediaTypes.DockerLayerGzip, CancellationToken.None);
        }

        await using (var blob = File.OpenRead(layerPath))
        {
            await Store.WriteAsync(layer.Descriptor, blob, CancellationToken.None);
        }

        File.Delete(layerPath);
        byte[] config = PackageImageDocuments.EmptyBaseConfig([layer]);
        var configDescriptor = Descriptor.For(MediaTypes.DockerConfig, config);
        await Store.WriteAsync(configDescriptor, new MemoryStream(config), CancellationToken.None);
        byte[] manifest = PackageImageDocuments.Manifest(MediaTypes.DockerManifest, configDescriptor, [layer.Descriptor]);
        var root = Descriptor.For(MediaTypes.DockerManifest, manifest);
        await Store.WriteAsync(root, new MemoryStream(manifest), CancellationToken.None);
        await Store.TagAsync(ImageReference.Parse(reference).ToString(), root, "test", CancellationToken.None);
        return root.Digest;
    }

    public async Task<InstallResult> InstallAsync(string manifests, bool offline = false, string? crossplaneVersion = null, InstallLog? log = null)
    {
        var input = await ManifestReader.ParseAsync(manifests, "input.yaml", CancellationToken.None);
        var options = new InstallOptions { Offline = offline, CrossplaneVersion = crossplaneVersion ?? InstallOptions.DefaultCrossplaneVersion };
        var installer = new PackageInstaller(Store, new CachePackageSource(Store), options);
        return await installer.InstallAsync(input, StateDirectory, log ?? new InstallLog(), CancellationToken.None);
    }

    /// <summary>Writes a file under the test's root (manifests for the CLI).</summary>
    public string Write(string relative, string text)
    {
        string path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string State(string relative) => File.ReadAllText(Path.Combine(StateDirectory, relative));

    public bool StateExists(string relative) => File.Exists(Path.Combine(StateDirectory, relative));

    /// <summary>The state files, relative; the lock file is not state.</summary>
    public IReadOnlyList<string> StateFiles() => FilesUnder(StateDirectory);

    public static IReadOnlyList<string> FilesUnder(string directory)
        => !Directory.Exists(directory) ? [] : Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace('\\', '/')).Where(f => f != StateLock.FileName).Order(StringComparer.Ordinal).ToList();

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
