using Xpkg.Install.CacheExport;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Resolution;
using Xpkg.Install.Runtime;
using Xpkg.Install.Sources;
using Xpkg.Install.State;
using Xpkg.Packages;
using Xpkg.Store;
using Xpkg.Transfer;

namespace Xpkg.Install;

/// <summary>
/// <c>xpkg install</c>: resolves the requested packages and their dependencies, plans revisions against what
/// the state directory already holds, and writes the Lock, packages, revisions, objects, runtime and events.
/// Nothing is written unless everything resolves, so a failed install leaves the state as it was.
/// </summary>
public sealed class PackageInstaller
{
    private readonly ContentStore _store;
    private readonly IPackageSource _source;
    private readonly InstallOptions _options;

    public PackageInstaller(ContentStore store, IPackageSource source, InstallOptions options)
    {
        _store = store;
        _source = source;
        _options = options;
    }

    public async Task<InstallResult> InstallAsync(ManifestSet input, string stateDirectory, InstallLog log, CancellationToken cancellationToken)
    {
        var writer = new StateWriter(stateDirectory);
        writer.CheckUsable();
        RequirePackages(input);

        // Two installs into one state directory would read the same revisions and interleave their writes.
        using var held = await StateLock.AcquireAsync(stateDirectory, log, cancellationToken).ConfigureAwait(false);
        var installed = await StateReader.ReadAsync(stateDirectory, cancellationToken).ConfigureAwait(false);
        var closure = await ResolveAsync(input, installed, log, cancellationToken).ConfigureAwait(false);

        var plans = new Dictionary<PackageNode, RevisionPlan>(ReferenceEqualityComparer.Instance);
        var files = new Dictionary<string, string>(StringComparer.Ordinal);
        var keep = new HashSet<string>(StringComparer.Ordinal);
        foreach (var node in closure)
        {
            var plan = RevisionPlanner.Plan(node, installed.RevisionsOf(node.Kind, node.Name), log);
            plans[node] = plan;
        }

        foreach (var node in closure)
        {
            await AddPackageFilesAsync(node, plans[node], closure, files, keep, stateDirectory, log, input, cancellationToken).ConfigureAwait(false);
        }

        foreach (var gone in installed.Packages.Where(p => !closure.Any(n => n.Kind == p.Kind && n.Name == p.Name)))
        {
            log.Add($"{gone.Kind}/{gone.Name}", "remove", "no longer requested nor needed by a dependency; its files are removed from the state directory");
        }

        files[StateLayout.LockFile] = YamlTree.Serialize(LockDocument.Build(closure, plans));
        log.Add("Lock/lock", "lock", $"{closure.Count} packages; dependencies resolved");

        // Cache entries first: they are keyed by content, so writing them can never contradict the state.
        if (_options.CrossplaneCache is { } export)
        {
            await new CrossplaneCacheExporter(_store).ExportAsync(closure, export, log, cancellationToken).ConfigureAwait(false);
        }

        var changed = await writer.ApplyAsync(files, keep, cancellationToken).ConfigureAwait(false);

        // The log of the latest run; it is not counted as a change, so a re-run reports none.
        await File.WriteAllTextAsync(Path.Combine(stateDirectory, StateLayout.EventsFile), log.ToText(), cancellationToken).ConfigureAwait(false);
        return new InstallResult(closure, plans, changed, log);
    }

    /// <summary>
    /// Resolves the closure of the requested packages (rewrites, pull policies, dependencies, validation)
    /// against what is <paramref name="installed"/>, and writes nothing: the content of every package is
    /// complete in the cache afterwards. <c>bundle create</c> resolves this way.
    /// </summary>
    public async Task<IReadOnlyList<PackageNode>> ResolveAsync(ManifestSet input, InstalledState installed, InstallLog log, CancellationToken cancellationToken)
    {
        RequirePackages(input);
        var loader = new PackageLoader(_source, new PackageContentReader(_store), input, _options, log);
        var resolver = new DependencyResolver(loader, _source, installed, log);
        return await resolver.ResolveAsync(input.Packages, cancellationToken).ConfigureAwait(false);
    }

    private static void RequirePackages(ManifestSet input)
    {
        if (input.Packages.Count == 0)
        {
            throw new Oci.InvalidInputException("no Function, Provider or Configuration among the inputs", "pass the package manifests with -f FILE");
        }
    }

    private async Task AddPackageFilesAsync(PackageNode node, RevisionPlan plan, IReadOnlyList<PackageNode> closure, Dictionary<string, string> files,
        HashSet<string> keep, string stateDirectory, InstallLog log, ManifestSet input, CancellationToken cancellationToken)
    {
        string runtimeFile = StateLayout.Runtime(node.Kind, node.Name);
        string runtimeNote = $"xpkg install does not run the runtime; kubectl apply -f {runtimeFile} starts it";
        files[StateLayout.Package(node.Kind, node.Name)] = YamlTree.Serialize(PackageDocument.Build(node, plan, runtimeNote));
        files[StateLayout.Revision(node.Kind, plan.Current.Name)] = YamlTree.Serialize(RevisionDocument.Build(node, plan.Current, closure, runtimeNote, _options.Namespace));
        foreach (var older in plan.Older)
        {
            string path = StateLayout.Revision(node.Kind, older.Name);
            files[path] = await RewriteOlderRevisionAsync(Path.Combine(stateDirectory, path), older, cancellationToken).ConfigureAwait(false);
        }

        string objectsFile = StateLayout.Objects(node.Kind, node.Name);
        if (!plan.Current.Active)
        {
            // Manual activation: whatever the active revision established stays until the user activates this one.
            keep.Add(objectsFile);
            keep.Add(runtimeFile);
            log.Add(node.Subject, "objects", $"revision {plan.Current.Name} is inactive; objects and runtime of the active revision are left as they are");
            return;
        }

        var objects = RevisionDocument.InstalledObjects(node);
        if (objects.Count > 0)
        {
            files[objectsFile] = string.Concat(objects.Select(o => "---\n" + o.RawYaml));
            log.Add(node.Subject, "objects", $"{objects.Count} objects ready to apply in {objectsFile}");
        }
        else if (node.Kind == PackageKind.Function && node.Package.Objects.Count > 0)
        {
            log.Add(node.Subject, "objects", $"{node.Package.Objects.Count} input CRDs are not installed (Function packages establish nothing)");
        }

        if (node.Request.HasRuntime)
        {
            string configName = node.RuntimeConfigName ?? "default";
            var config = input.FindRuntimeConfig(configName) ?? RuntimeConfig.Empty(configName);
            files[runtimeFile] = YamlTree.SerializeAll(RuntimeDocuments.Build(node, plan.Current.Name, config, _options.Namespace));
            log.Add(node.Subject, "runtime", $"Deployment {plan.Current.Name} runs {node.Image.PinnedReference} with imagePullPolicy {node.Request.PackagePullPolicy} "
                + $"(DeploymentRuntimeConfig {configName}{(input.FindRuntimeConfig(configName) is null ? ", not among the inputs: defaults" : "")}); written to {runtimeFile}");
        }
    }

    private static async Task<string> RewriteOlderRevisionAsync(string path, PlannedRevision revision, CancellationToken cancellationToken)
    {
        var doc = YamlTree.Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false))
            ?? throw new Oci.XpkgException($"{path}: not a revision");
        if (doc.GetValueOrDefault("spec") is Dictionary<string, object?> spec)
        {
            spec["desiredState"] = revision.Active ? "Active" : "Inactive";
            spec["revision"] = revision.Number;
        }

        return YamlTree.Serialize(doc);
    }
}
