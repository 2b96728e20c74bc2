using Xpkg.Packages.Semver;

namespace Xpkg.Packages.Linting;

/// <summary>
/// Crossplane's package linters (crossplane-runtime <c>pkg/xpkg/lint.go</c>): exactly one meta object, the
/// meta of the expected kind with a parsable <c>spec.crossplane.version</c>, then every object of an
/// allowed kind. Checks run in that order and stop at the first failure, as upstream.
/// </summary>
public sealed class PackageLinter
{
    public const string NotExactlyOneMeta = "not exactly one package meta type";
    public const string BadConstraints = "package version constraints are poorly formatted";
    public const string NoneOfTheLintersPassed = "object did not pass any of the linters with following errors: ";

    private readonly IReadOnlyList<ObjectRule> _allowed;

    private PackageLinter(PackageKind kind, IReadOnlyList<ObjectRule> allowed)
    {
        Kind = kind;
        _allowed = allowed;
    }

    /// <summary>The package kind this linter expects.</summary>
    public PackageKind Kind { get; }

    public static PackageLinter Provider { get; } = new(PackageKind.Provider,
        [ObjectRule.Crd, ObjectRule.Mrd, ObjectRule.ValidatingWebhook, ObjectRule.MutatingWebhook]);

    public static PackageLinter Configuration { get; } = new(PackageKind.Configuration,
        [ObjectRule.Xrd, ObjectRule.ActivationPolicy, ObjectRule.Composition, ObjectRule.Operation, ObjectRule.CronOperation, ObjectRule.WatchOperation]);

    // Functions carry only their input CRDs, which are never installed. A single check, so no "did not pass any".
    public static PackageLinter Function { get; } = new(PackageKind.Function, [ObjectRule.Crd]);

    public static PackageLinter For(PackageKind kind) => kind switch
    {
        PackageKind.Configuration => Configuration,
        PackageKind.Function => Function,
        _ => Provider,
    };

    /// <summary>
    /// Lints a package with the linter for its own meta kind, as <c>crossplane xpkg build</c> does
    /// (the Provider linter when there is no single meta, which then fails the one-meta check).
    /// </summary>
    public static LintError? LintPackage(ParsedPackage package)
        => For(package.Meta?.PackageKind ?? PackageKind.Provider).Lint(package);

    /// <summary>
    /// The blocking checks a Crossplane ≥ v2.2 revision runs before installing: one meta, its kind, its
    /// version constraint, and, when <paramref name="crossplaneVersion"/> is given, compatibility with it.
    /// </summary>
    /// <param name="package">The parsed package.</param>
    /// <param name="crossplaneVersion">The running Crossplane version to check compatibility with, if any.</param>
    /// <param name="dialect">The semver rules of the Crossplane release being imitated (v1.5 up to Crossplane v2.2).</param>
    public LintError? Validate(ParsedPackage package, SemanticVersion? crossplaneVersion = null, SemverDialect dialect = SemverDialect.MastermindsV3)
    {
        if (package.Metas.Count != 1)
        {
            // Naming the second meta object tells the user which document to remove.
            return new LintError(NotExactlyOneMeta, package.Metas.Count > 1 ? package.Metas[1] : null);
        }

        var meta = package.Metas[0];
        if (meta.PackageKind != Kind)
        {
            return new LintError($"package meta type is not {Kind}", meta);
        }

        if (meta.CrossplaneVersion is { } constraint)
        {
            if (!VersionConstraint.TryParse(constraint, dialect, out var parsed, out string error))
            {
                return new LintError($"{BadConstraints}: {error}", meta);
            }

            if (crossplaneVersion is not null && !parsed.IsSatisfiedBy(crossplaneVersion))
            {
                return new LintError($"package is not compatible with Crossplane version ({crossplaneVersion.Original})", meta);
            }
        }

        return null;
    }

    /// <summary>The full lint: <see cref="Validate"/> and then the allowed object kinds.</summary>
    public LintError? Lint(ParsedPackage package, SemanticVersion? crossplaneVersion = null, SemverDialect dialect = SemverDialect.MastermindsV3)
    {
        if (Validate(package, crossplaneVersion, dialect) is { } error)
        {
            return error;
        }

        foreach (var o in package.Objects)
        {
            if (_allowed.Any(rule => rule.Accepts(o)))
            {
                continue;
            }

            string message = _allowed.Count == 1
                ? _allowed[0].Error
                : NoneOfTheLintersPassed + string.Join(", ", _allowed.Select(r => r.Error));
            return new LintError(message, o);
        }

        return null;
    }

    /// <summary>Throws the first lint failure as bad input (exit 2), e.g. to abort a build.</summary>
    public void LintOrThrow(ParsedPackage package, SemanticVersion? crossplaneVersion = null)
    {
        if (Lint(package, crossplaneVersion) is { } error)
        {
            throw error.ToException();
        }
    }
}
