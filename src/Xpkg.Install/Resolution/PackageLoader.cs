using Xpkg.Install.Events;
using Xpkg.Install.ImageConfigs;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Oci;
using Xpkg.Packages;
using Xpkg.Packages.Linting;
using Xpkg.Packages.Semver;
using Xpkg.Transfer;

namespace Xpkg.Install.Resolution;

/// <summary>
/// Turns one package request into a <see cref="PackageNode"/>, in Crossplane's order: ImageConfig rewrite
/// first, then pull secret and runtime config matched on the rewritten reference, then the pull policy, the
/// package read from the cache, and the blocking validation (one meta of the right kind, a well-formed and
/// satisfied <c>spec.crossplane.version</c>).
/// </summary>
public sealed class PackageLoader
{
    private readonly IPackageSource _source;
    private readonly PackageContentReader _reader;
    private readonly ImageConfigSelector _imageConfigs;
    private readonly ManifestSet _input;
    private readonly InstallOptions _options;
    private readonly SemanticVersion _crossplaneVersion;
    private readonly InstallLog _log;

    public PackageLoader(IPackageSource source, PackageContentReader reader, ManifestSet input, InstallOptions options, InstallLog log)
    {
        _source = source;
        _reader = reader;
        _input = input;
        _options = options;
        _log = log;
        _imageConfigs = new ImageConfigSelector(input.ImageConfigs);
        _crossplaneVersion = SemanticVersion.TryParse(options.CrossplaneVersion, out var v)
            ? v
            : throw new InvalidInputException($"--crossplane-version: \"{options.CrossplaneVersion}\" is not a semantic version", "e.g. --crossplane-version 2.1.0");
    }

    public ImageConfigSelector ImageConfigs => _imageConfigs;

    /// <summary>The semver rules of the Crossplane release being imitated.</summary>
    public SemverDialect Dialect => VersionSelector.DialectOf(_crossplaneVersion);

    /// <summary>The policy actually used: <c>--offline</c> turns every policy into Never.</summary>
    public PullPolicy EffectivePolicy(PullPolicy policy) => _options.Offline ? PullPolicy.Never : policy;

    /// <summary>The repository whose tags are listed for a dependency source: the rewritten one.</summary>
    public string RewrittenRepository(string source) => ImageReference.Parse(_imageConfigs.Rewrite(source).Reference).Name;

    public async Task<PackageNode> LoadAsync(PackageRequest request, bool isRoot, CancellationToken cancellationToken)
    {
        string subject = $"{request.Kind}/{request.Name}";
        var original = request.Package;
        _log.Add(subject, "reference", $"spec.package {original.Original} (normalised {original})");

        var applied = new List<ImageConfigMatch>();
        var (rewrittenText, rewrite) = _imageConfigs.Rewrite(original.Original);
        var resolvedRef = original;
        if (rewrite is not null)
        {
            resolvedRef = ImageReference.TryParse(rewrittenText, out var r, out string why)
                ? r
                : throw new InvalidInputException($"{subject}: ImageConfig {rewrite.Name} rewrites {original.Original} to {rewrittenText}, which is not a reference: {why}");
            applied.Add(rewrite);
            _log.Add(subject, "rewrite", $"ImageConfig {rewrite.Name} (prefix {rewrite.Prefix}) rewrites it to {rewrittenText}");
        }
        else
        {
            _log.Add(subject, "rewrite", "no ImageConfig rewrites it");
        }

        var secrets = SelectSecrets(subject, request, rewrittenText, applied);
        string? runtimeConfig = SelectRuntimeConfig(subject, request, rewrittenText, applied);
        if (_imageConfigs.Verification(rewrittenText) is { } verify)
        {
            applied.Add(verify);
            _log.Add(subject, "verify", $"ImageConfig {verify.Name} asks for signature verification; xpkg does not verify signatures (Crossplane does only with --enable-signature-verification)");
        }

        var policy = EffectivePolicy(request.PackagePullPolicy);
        _log.Add(subject, "policy", _options.Offline && request.PackagePullPolicy != PullPolicy.Never
            ? $"{request.PackagePullPolicy} becomes Never (--offline)"
            : $"{policy}");
        ResolvedImage? resolved;
        try
        {
            resolved = await _source.ResolveAsync(resolvedRef, policy, secrets, cancellationToken).ConfigureAwait(false);
        }
        catch (XpkgException e) when (e is not InvalidInputException)
        {
            // Say which package needed the image: one install touches many.
            throw new XpkgException($"{subject}: {e.Message}", e.Hint, e.ExitCode, e);
        }

        var image = resolved
            ?? throw new XpkgException($"{subject}: package {resolvedRef.Original} not in cache and pull policy is {policy}",
                $"bring it into the cache with xpkg load FILE (a .xpkg or image archive) or xpkg pull {resolvedRef.Original}; xpkg images lists what the cache holds");
        _log.Add(subject, "resolve", $"{image.Explanation}; digest {image.Digest}");

        var (package, location) = await _reader.ReadAsync(image.Root, cancellationToken).ConfigureAwait(false);
        _log.Add(subject, "package", location.Explain());
        Validate(subject, request, package);

        return new PackageNode
        {
            Request = request,
            IsRoot = isRoot,
            ResolvedReference = resolvedRef,
            Image = image,
            Package = package,
            Location = location,
            AppliedImageConfigs = applied,
            PullSecrets = secrets.Select(s => s.Name).ToList(),
            RuntimeConfigName = runtimeConfig,
        };
    }

    private List<PullSecret> SelectSecrets(string subject, PackageRequest request, string rewritten, List<ImageConfigMatch> applied)
    {
        var names = request.PackagePullSecrets.ToList();
        if (_imageConfigs.PullSecret(rewritten) is { } matched)
        {
            applied.Add(matched.Match);
            names.Add(matched.SecretName);
            _log.Add(subject, "auth", $"ImageConfig {matched.Match.Name} (prefix {matched.Match.Prefix}) adds pull secret {matched.SecretName}");
        }

        var secrets = new List<PullSecret>();
        foreach (string name in names.Distinct(StringComparer.Ordinal))
        {
            if (_input.FindSecret(name) is { } secret)
            {
                secrets.Add(secret);
                _log.Add(subject, "auth", $"pull secret {name} covers {string.Join(", ", secret.Registries)}");
            }
            else
            {
                secrets.Add(new PullSecret(name, null, "", []));
                _log.Add(subject, "auth", $"pull secret {name} is not among the inputs; it is referenced as written and must exist in the cluster");
            }
        }

        if (secrets.Count == 0)
        {
            _log.Add(subject, "auth", "no pull secret applies");
        }

        return secrets;
    }

    /// <summary>
    /// The pull secrets for listing a dependency's tags: as in Crossplane, only the one an ImageConfig names for
    /// the (rewritten) repository; the parents' <c>packagePullSecrets</c> do not pass to dependencies.
    /// </summary>
    public IReadOnlyList<PullSecret> TagListSecrets(string subject, string repository)
    {
        if (_imageConfigs.PullSecret(repository) is not { } matched)
        {
            return [];
        }

        _log.Add(subject, "auth", $"tags of {repository} are listed with pull secret {matched.SecretName} (ImageConfig {matched.Match.Name})");
        return _input.FindSecret(matched.SecretName) is { } secret ? [secret] : [];
    }

    private string? SelectRuntimeConfig(string subject, PackageRequest request, string rewritten, List<ImageConfigMatch> applied)
    {
        if (!request.HasRuntime)
        {
            return null;
        }

        string name = request.RuntimeConfigName ?? "default";
        if (_imageConfigs.RuntimeConfig(rewritten) is { } matched)
        {
            applied.Add(matched.Match);
            name = matched.RuntimeConfigName;
            _log.Add(subject, "runtime", $"ImageConfig {matched.Match.Name} (prefix {matched.Match.Prefix}) selects DeploymentRuntimeConfig {name}");
        }

        if (_input.FindRuntimeConfig(name) is null && name != "default")
        {
            throw new InvalidInputException($"{subject}: DeploymentRuntimeConfig {name} is not among the inputs",
                "add its manifest with -f, or remove the reference to use the default runtime");
        }

        return name;
    }

    private void Validate(string subject, PackageRequest request, ParsedPackage package)
    {
        var linter = PackageLinter.For(request.Kind);
        var checkAgainst = request.IgnoreCrossplaneConstraints ? null : _crossplaneVersion;
        if (linter.Validate(package, checkAgainst, Dialect) is { } error)
        {
            string? hint = error.Message.StartsWith("package is not compatible", StringComparison.Ordinal)
                ? $"the package asks for Crossplane {package.Meta?.CrossplaneVersion}; pass --crossplane-version, or set spec.ignoreCrossplaneConstraints: true"
                : error.ToException().Hint;
            throw new XpkgException($"{subject}: {error}", hint);
        }

        if (request.IgnoreCrossplaneConstraints && package.Meta?.CrossplaneVersion is { } constraint)
        {
            _log.Add(subject, "crossplane", $"constraint {constraint} ignored (ignoreCrossplaneConstraints)");
        }
        else if (package.Meta?.CrossplaneVersion is { } c)
        {
            _log.Add(subject, "crossplane", $"Crossplane {_crossplaneVersion.Original} satisfies {c} (semver rules of {Dialect})");
        }

        if (linter.Lint(package, null, Dialect) is { } warning)
        {
            _log.Add(subject, "lint", $"warning: {warning} (Crossplane installs it anyway)");
        }
    }
}
