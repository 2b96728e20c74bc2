using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Resolution;
using Xpkg.Install.Runtime;
using Xpkg.Install.Sources;
using Xpkg.Install.State;
using Xpkg.Oci;
using Xpkg.Oci.Archives;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Install.Bundles;

/// <summary>
/// <c>xpkg bundle create</c>: an air-gap bundle. The manifests are resolved exactly as <c>xpkg install</c>
/// resolves them (rewrites, pull policies, dependencies), writing no state; then every image of the closure
/// (each package under the reference it resolved, plus the runtime images a DeploymentRuntimeConfig names)
/// is saved into one oci-archive, named, so that <c>xpkg load</c> on another machine restores the names an
/// <c>xpkg install --offline</c> of the same manifests looks for.
/// </summary>
public sealed class BundleCreator(ContentStore store, IPackageSource source, InstallOptions options)
{
    public async Task<BundleResult> CreateAsync(ManifestSet input, string file, InstallLog log, CopyOptions copy, CancellationToken cancellationToken)
    {
        // The lease keeps what is resolved from a concurrent cache gc until it is in the archive.
        using var lease = await store.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
        var closure = await new PackageInstaller(store, source, options).ResolveAsync(input, InstalledState.Empty, log, cancellationToken).ConfigureAwait(false);

        var references = new List<string>();
        foreach (var node in closure)
        {
            references.Add(node.ResolvedReference.ToString());
            log.Add(node.Subject, "bundle", $"{node.ResolvedReference} ({node.Image.Digest})");
            references.AddRange(await RuntimeImagesAsync(node, input, log, cancellationToken).ConfigureAwait(false));
        }

        var images = await new ArchiveSaver(store).SaveAsync(references.Distinct(StringComparer.Ordinal).ToList(), file, ArchiveFormat.Oci, copy, cancellationToken)
            .ConfigureAwait(false);
        log.Add("bundle", "write", $"{images.Count} images written to {Path.GetFullPath(file)}");
        return new BundleResult(Path.GetFullPath(file), closure, images);
    }

    /// <summary>Images the runtime Deployment runs besides the package itself, brought into the cache under the package's policy.</summary>
    private async Task<List<string>> RuntimeImagesAsync(PackageNode node, ManifestSet input, InstallLog log, CancellationToken cancellationToken)
    {
        var result = new List<string>();
        if (!node.Request.HasRuntime)
        {
            return result;
        }

        string configName = node.RuntimeConfigName ?? "default";
        var config = input.FindRuntimeConfig(configName) ?? RuntimeConfig.Empty(configName);
        var secrets = node.PullSecrets.Select(input.FindSecret).OfType<PullSecret>().ToList();
        var policy = options.Offline ? PullPolicy.Never : node.Request.PackagePullPolicy;
        foreach (string image in RuntimeDocuments.Images(node, config).Where(i => i != node.Image.PinnedReference))
        {
            if (!ImageReference.TryParse(image, out var reference, out string why))
            {
                throw new InvalidInputException($"{node.Subject}: DeploymentRuntimeConfig {configName} names the image \"{image}\", which is not a reference: {why}");
            }

            var resolved = await source.ResolveAsync(reference, policy, secrets, cancellationToken).ConfigureAwait(false)
                ?? throw new XpkgException($"{node.Subject}: runtime image {image} (DeploymentRuntimeConfig {configName}) is not in the cache and pull policy is {policy}",
                    $"bring it into the cache with xpkg pull {image} or xpkg load FILE");
            log.Add(node.Subject, "bundle", $"runtime image {reference} ({resolved.Digest}) from DeploymentRuntimeConfig {configName}: {resolved.Explanation}");
            result.Add(reference.ToString());
        }

        return result;
    }
}
