using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Install.State;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Semver;
using Xpkg.Transfer;

namespace Xpkg.Install.Resolution;

/// <summary>
/// Resolves the closure of the requested packages. The requested packages are fixed; every dependency they
/// (transitively) declare gets exactly one package: the one requested or already chosen when it satisfies
/// every parent, else the installed one when it does, else the highest tag satisfying all parents (or the
/// pinned digest). Conflicts name the parents and their constraints; cycles name the cycle.
/// </summary>
public sealed class DependencyResolver
{
    private const string InvalidDependency = "encountered an invalid dependency: package dependencies must specify either a valid type, or an explicit apiVersion, kind, and package";

    private readonly PackageLoader _loader;
    private readonly IPackageSource _source;
    private readonly InstalledState _installed;
    private readonly InstallLog _log;
    private readonly VersionSelector _versions;

    public DependencyResolver(PackageLoader loader, IPackageSource source, InstalledState installed, InstallLog log)
    {
        _loader = loader;
        _versions = new VersionSelector(loader.Dialect);
        _source = source;
        _installed = installed;
        _log = log;
    }

    /// <summary>The closure: requested packages in input order, then dependencies by kind and name.</summary>
    public async Task<IReadOnlyList<PackageNode>> ResolveAsync(IReadOnlyList<PackageRequest> requests, CancellationToken cancellationToken)
    {
        var roots = new List<PackageNode>();
        var selected = new Dictionary<string, PackageNode>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            var node = await LoadAsync(request, isRoot: true, cancellationToken).ConfigureAwait(false);
            if (selected.TryGetValue(node.Key, out var other))
            {
                throw new InvalidInputException($"{node.Subject} and {other.Subject} both install {node.Key}",
                    "Crossplane installs one package per repository; remove one of them");
            }

            selected[node.Key] = node;
            roots.Add(node);
        }

        // Each pass settles one dependency: a graph that only grows takes one pass per package, so the bound
        // grows with the packages chosen; only versions that keep changing exhaust it.
        for (int pass = 0; ; pass++)
        {
            if (pass > 50 + (10 * selected.Count))
            {
                throw new ResolutionException("dependency resolution did not settle: versions keep changing as constraints change",
                    "pin the dependencies that move with exact versions");
            }

            if (!await SettleOneAsync(roots, selected, cancellationToken).ConfigureAwait(false))
            {
                break;
            }
        }

        var closure = DependencyGraph.Order(roots, selected);
        foreach (var group in closure.GroupBy(n => (n.Kind, n.Name)).Where(g => g.Count() > 1))
        {
            throw new ResolutionException($"{group.Key.Kind}/{group.Key.Name} would install both {string.Join(" and ", group.Select(n => n.Key))}",
                "give the requested package another metadata.name");
        }

        return closure;
    }

    /// <summary>
    /// Brings one dependency in line: the first, by repository, that is new, unsatisfied or asked for as the
    /// wrong kind. False when every dependency is satisfied.
    /// </summary>
    private async Task<bool> SettleOneAsync(List<PackageNode> roots, Dictionary<string, PackageNode> selected, CancellationToken cancellationToken)
    {
        // This runs once per dependency settled, so it only looks for the first repository needing work:
        // no grouping, no sorting. A repository needs work when one of its requirements is not met.
        var reachable = DependencyGraph.Reachable(roots, selected);
        string? first = null;
        foreach (var node in reachable)
        {
            foreach (var r in node.Requirements)
            {
                if ((first is null || string.CompareOrdinal(r.Key, first) < 0) && NeedsWork(r, selected.GetValueOrDefault(r.Key)))
                {
                    first = r.Key;
                }
            }
        }

        if (first is null)
        {
            return false;
        }

        var requirements = reachable.SelectMany(n => n.Requirements).Where(r => r.Key == first).ToList();
        CheckKinds(requirements);
        if (selected.TryGetValue(first, out var current))
        {
            if (current.Kind != requirements[0].Kind)
            {
                throw new ResolutionException($"{requirements[0].Describe()} of {requirements[0].Kind} {requirements[0].Source}, but {current.Subject} installs that package as a {current.Kind}");
            }

            var unsatisfied = requirements.Where(r => !Satisfies(current, r)).ToList();
            if (current.IsRoot)
            {
                throw new ResolutionException(
                    $"incompatible dependencies: {current.Subject} installs {current.Request.Package.Original}, but {string.Join("; ", unsatisfied.Select(r => r.Describe()))}",
                    $"change {current.Subject}'s spec.package to a version every parent accepts, or drop it from the input to let the resolver choose");
            }

            _log.Add(current.Subject, "dependency", $"{current.Version} no longer satisfies {string.Join("; ", unsatisfied.Select(r => r.Describe()))}; choosing again");
        }

        selected[first] = await ChooseAsync(requirements, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private bool NeedsWork(DependencyRequirement requirement, PackageNode? current)
        => current is null || requirement.Kind != current.Kind || !Satisfies(current, requirement);

    private async Task<PackageNode> ChooseAsync(List<DependencyRequirement> requirements, CancellationToken cancellationToken)
    {
        var first = requirements[0];
        var installed = _installed.FindByKey(first.Key, first.Kind);
        string name = installed?.Name ?? PackageNames.ToDnsLabel(ImageReference.Parse(first.Source).Repository);
        string subject = $"{first.Kind}/{name}";
        string parents = string.Join("; ", requirements.Select(r => r.Describe()));

        var pins = requirements.Where(r => r.Pin is not null).Select(r => r.Pin!.Value).Distinct().ToList();
        if (pins.Count > 1)
        {
            throw new ResolutionException($"different digests in parent constraints for {first.Source}: {parents}", "parents that pin a dependency by digest must pin the same digest");
        }

        if (pins.Count == 1 && requirements.Any(r => r.Pin is null))
        {
            throw new ResolutionException($"different types of parent constraints for {first.Source}: {parents}", "pin it by digest in every parent, or by version in every parent");
        }

        if (pins.Count == 1)
        {
            _log.Add(subject, "dependency", $"{parents}: pinned digest {pins[0]}");
            return await LoadDependencyAsync(first, name, first.Source + "@" + pins[0], cancellationToken).ConfigureAwait(false);
        }

        var constraints = requirements.Select(r => ParseConstraint(r)).ToList();
        if (installed is not null && ImageReference.TryParse(installed.Package, out var installedRef, out _) && installedRef.Digest is null
            && constraints.All(c => _versions.Satisfies(installedRef.Tag!, c)))
        {
            _log.Add(subject, "dependency", $"{parents}: installed {installedRef.Tag} satisfies every parent and stays");
            return await LoadDependencyAsync(first, name, installed.Package, cancellationToken).ConfigureAwait(false);
        }

        string repository = _loader.RewrittenRepository(first.Source);
        var policy = _loader.EffectivePolicy(PullPolicy.IfNotPresent);

        // IfNotPresent: when the cache already holds a satisfying version, the registry is not asked.
        string where = "in the cache";
        var tags = await _source.ListTagsAsync(repository, PullPolicy.Never, [], cancellationToken).ConfigureAwait(false);
        string? tag = _versions.Highest(tags, constraints);
        if (tag is null && policy != PullPolicy.Never)
        {
            where = "in the cache and the registry";
            tags = await _source.ListTagsAsync(repository, policy, _loader.TagListSecrets(subject, repository), cancellationToken).ConfigureAwait(false);
            tag = _versions.Highest(tags, constraints);
        }

        var candidates = _versions.Candidates(tags);
        if (tag is null)
        {
            throw NoVersion(first, requirements, constraints, candidates.Select(c => c.Tag).ToList(), repository);
        }

        _log.Add(subject, "dependency", $"{parents}: {tag} is the highest of {candidates.Count} versions of {repository} {where} ({string.Join(", ", candidates.Select(c => c.Tag))})");
        return await LoadDependencyAsync(first, name, first.Source + ":" + tag, cancellationToken).ConfigureAwait(false);
    }

    private ResolutionException NoVersion(DependencyRequirement first, List<DependencyRequirement> requirements, List<VersionConstraint> constraints, List<string> tags, string repository)
    {
        string parents = string.Join("; ", requirements.Select(r => r.Describe()));
        string known = tags.Count == 0 ? "no versions are known" : "known versions: " + string.Join(", ", tags);
        bool eachAlone = constraints.All(c => tags.Any(t => _versions.Satisfies(t, c)));
        return eachAlone && requirements.Count > 1
            ? new ResolutionException($"conflicting constraints on {first.Kind} {first.Source}: {parents}; no version satisfies all of them ({known})",
                "relax one of the constraints so that one version satisfies every parent")
            : new ResolutionException($"dependency ({first.Source}) does not have a valid version: {parents} ({known} in {repository})",
                $"bring a matching version into the cache with xpkg load FILE or xpkg pull {repository}:TAG");
    }

    private async Task<PackageNode> LoadDependencyAsync(DependencyRequirement requirement, string name, string reference, CancellationToken cancellationToken)
    {
        var request = new PackageRequest
        {
            Kind = requirement.Kind,
            ApiVersion = "pkg.crossplane.io/v1",
            Name = name,
            Package = ImageReference.Parse(reference),
            RuntimeConfigName = requirement.Kind == PackageKind.Configuration ? null : "default",
        };
        return await LoadAsync(request, isRoot: false, cancellationToken).ConfigureAwait(false);
    }

    private async Task<PackageNode> LoadAsync(PackageRequest request, bool isRoot, CancellationToken cancellationToken)
    {
        var node = await _loader.LoadAsync(request, isRoot, cancellationToken).ConfigureAwait(false);
        node.Requirements = ReadRequirements(node);
        return node;
    }

    private List<DependencyRequirement> ReadRequirements(PackageNode node)
    {
        if (node.Request.SkipDependencyResolution)
        {
            if (node.Meta.DependsOn.Count > 0)
            {
                _log.Add(node.Subject, "dependency", $"skipDependencyResolution: {node.Meta.DependsOn.Count} dependencies not resolved");
            }

            return [];
        }

        var result = new List<DependencyRequirement>();
        foreach (var d in node.Meta.DependsOn)
        {
            if (d.PackageKind is not { } kind || d.PackageReference is not { Length: > 0 } source)
            {
                throw new ResolutionException($"{node.Subject}: {InvalidDependency}");
            }

            if (!ImageReference.TryParse(source, out var parsed, out string why) || !source.Contains('.', StringComparison.Ordinal))
            {
                throw new ResolutionException($"{node.Subject}: dependency {source} is not a fully qualified package name{(why.Length > 0 ? ": " + why : "")}");
            }

            if (d.VersionDigest is null && !_versions.TryParseConstraint(d.Version, out _, out string error))
            {
                throw new ResolutionException($"{node.Subject}: dependency {source}: {error}", "dependsOn[].version takes a semver constraint such as \">=v1.0.0\" or a digest sha256:<hex>");
            }

            var requirement = new DependencyRequirement(node, d, kind, source, parsed.Name);
            result.Add(requirement);
            _log.Add(node.Subject, "dependency", $"depends on {kind} {source} {(d.Version.Length == 0 ? "(any version)" : d.Version)}");
        }

        return result;
    }

    private VersionConstraint ParseConstraint(DependencyRequirement requirement)
        => _versions.TryParseConstraint(requirement.Constraint, out var c, out string error)
            ? c
            : throw new ResolutionException($"{requirement.Parent.Subject}: dependency {requirement.Source}: {error}");

    /// <summary>Digest pins compare the resolved digest exactly; constraints compare the tag as semver.</summary>
    private bool Satisfies(PackageNode node, DependencyRequirement requirement)
    {
        if (requirement.Pin is { } pin)
        {
            return node.Image.Digest == pin;
        }

        return node.Request.Package.Digest is null && _versions.Satisfies(node.Request.Package.Tag!, ParseConstraint(requirement));
    }

    private static void CheckKinds(List<DependencyRequirement> requirements)
    {
        var kinds = requirements.GroupBy(r => r.Kind).ToList();
        if (kinds.Count > 1)
        {
            throw new ResolutionException($"{requirements[0].Source} is required as different kinds: "
                + string.Join("; ", requirements.Select(r => $"{r.Parent.Subject} needs a {r.Kind}")));
        }
    }
}
