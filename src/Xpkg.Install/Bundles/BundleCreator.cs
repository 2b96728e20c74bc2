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
    public async Task<BundleResult> CreateAsync(ManifestSet input, string file, BundlePlatforms platforms, InstallLog log, CopyOptions copy, CancellationToken cancellationToken)
    {
        // The lease keeps what is resolved from a concurrent cache gc until it is in the archive.
        using var lease = await store.BeginLeaseAsync(cancellationToken).ConfigureAwait(false);
        var closure = await new PackageInstaller(store, source, options).ResolveAsync(input, InstalledState.Empty, log, cancellationToken).ConfigureAwait(false);

        var images = new List<BundleImage>();
        foreach (var node in closure)
        {
            log.Add(node.Subject, "bundle", $"{node.ResolvedReference} ({node.Image.Digest})");
            var secrets = node.PullSecrets.Select(input.FindSecret).OfType<PullSecret>().ToList();
            images.Add(new BundleImage(node.Subject, node.ResolvedReference, secrets, node.Location.Manifest.Platform));
            images.AddRange(await RuntimeImagesAsync(node, input, secrets, log, cancellationToken).ConfigureAwait(false));
        }

        images = images.DistinctBy(i => i.Name).ToList();
        var plans = new Dictionary<string, CopyOptions>(StringComparer.Ordinal);
        var partial = new List<PartialIndex>();
        foreach (var image in images)
        {
            plans[image.Name] = await PlanAsync(image, platforms, copy, partial, log, cancellationToken).ConfigureAwait(false);
        }

        var saved = await new ArchiveSaver(store).SaveAsync(images.Select(i => i.Name).ToList(), file, ArchiveFormat.Oci,
            image => plans.TryGetValue(image.Reference ?? "", out var plan) ? plan : copy, cancellationToken).ConfigureAwait(false);
        log.Add("bundle", "write", $"{saved.Count} images written to {Path.GetFullPath(file)}");
        return new BundleResult(Path.GetFullPath(file), closure, saved, partial);
    }

    /// <summary>
    /// How one image is copied into the bundle. For an index: which of its manifests, after fetching the chosen ones the
    /// cache lacks (never offline); without a choice, what the cache holds, a partial index being recorded.
    /// </summary>
    private async Task<CopyOptions> PlanAsync(BundleImage image, BundlePlatforms platforms, CopyOptions copy, List<PartialIndex> partial, InstallLog log, CancellationToken cancellationToken)
    {
        var entry = await ImageLookup.RequireAsync(store, image.Name, cancellationToken).ConfigureAwait(false);
        if (!MediaTypes.IsIndex(entry.Root.MediaType))
        {
            return copy;
        }

        // install on the air-gapped machine reads package.yaml from the manifest it was read from here, whatever else is chosen.
        var chosen = platforms.Platforms;
        if (chosen is not null && image.PackagePlatform is { Architecture.Length: > 0 } read && !chosen.Any(p => p.Matches(read)))
        {
            chosen = [.. chosen, read];
            log.Add(image.Subject, "bundle", $"{image.Name}: {read} kept besides {string.Join(", ", platforms.Platforms!)}, as install reads package.yaml from that manifest");
        }

        var plan = copy with { Platforms = chosen, AllowSparseIndex = !platforms.Required };
        var parsed = ParsedManifest.Parse(await store.ReadSmallBlobAsync(entry.Root, cancellationToken).ConfigureAwait(false), entry.Root.MediaType);
        var selected = PlatformSelection.Select($"{image.Name} ({entry.Root.Digest})", parsed, chosen);
        var missing = new List<Descriptor>();
        foreach (var manifest in selected)
        {
            if (!await store.IsCompleteAsync(manifest, cancellationToken).ConfigureAwait(false))
            {
                missing.Add(manifest);
            }
        }

        if (missing.Count == 0)
        {
            return plan;
        }

        string missingNames = string.Join(", ", missing.Select(PlatformSelection.Name));
        if (!platforms.Required)
        {
            var included = selected.Except(missing).Select(PlatformSelection.Name).ToList();
            partial.Add(new PartialIndex(image.Name, entry.Root.Digest, included, missing.Select(PlatformSelection.Name).ToList()));
            log.Add(image.Subject, "bundle", $"{image.Name} is an index; the cache holds {string.Join(", ", included)} of it, not {missingNames}: bundled as cached");
            return plan;
        }

        if (options.Offline || !await source.CompleteIndexAsync(image.Reference, entry.Root, plan, image.Secrets, cancellationToken).ConfigureAwait(false))
        {
            throw new XpkgException(
                $"{image.Name} ({entry.Root.Digest}) is an index whose {missingNames} manifest{(missing.Count == 1 ? "" : "s")} the cache lacks, and {(options.Offline ? "--offline" : "this xpkg")} opens no connection to fetch {(missing.Count == 1 ? "it" : "them")}; no bundle written",
                $"run without --offline where {image.Reference.Registry} is reachable, or bring the whole index in first: xpkg pull {image.Name} --all-platforms");
        }

        log.Add(image.Subject, "bundle", $"{image.Name}: {missingNames} fetched from {image.Reference.Registry} by digest");
        return plan;
    }

    /// <summary>Images the runtime Deployment runs besides the package itself, brought into the cache under the package's policy.</summary>
    private async Task<List<BundleImage>> RuntimeImagesAsync(PackageNode node, ManifestSet input, List<PullSecret> secrets, InstallLog log, CancellationToken cancellationToken)
    {
        var result = new List<BundleImage>();
        if (!node.Request.HasRuntime)
        {
            return result;
        }

        string configName = node.RuntimeConfigName ?? "default";
        var config = input.FindRuntimeConfig(configName) ?? RuntimeConfig.Empty(configName);
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
            result.Add(new BundleImage(node.Subject, reference, secrets, null));
        }

        return result;
    }

    /// <summary>An image of the bundle, with the pull secrets to fetch it with and, for a package, the platform install reads it for.</summary>
    private sealed record BundleImage(string Subject, ImageReference Reference, IReadOnlyList<PullSecret> Secrets, Platform? PackagePlatform)
    {
        public string Name => Reference.ToString();
    }
}
