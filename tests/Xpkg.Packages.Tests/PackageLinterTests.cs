using Xpkg.Oci;
using Xpkg.Packages.Linting;
using Xpkg.Packages.Semver;

namespace Xpkg.Packages.Tests;

public class PackageLinterTests
{
    private const string ProviderOr = "object did not pass any of the linters with following errors: object is not a CRD, object is not an MRD, object is not an ValidatingWebhookConfiguration, object is not a MutatingWebhookConfiguration";
    private const string ConfigurationOr = "object did not pass any of the linters with following errors: object is not an XRD, object is not an ManagedResourceActivationPolicy, object is not a Composition, object is not an Operation, object is not a CronOperation, object is not a WatchOperation";

    private static string Meta(string apiVersion, string kind, string spec = "{}")
        => $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: m\nspec: {spec}\n";

    private static string Object(string apiVersion, string kind, string name = "o")
        => $"apiVersion: {apiVersion}\nkind: {kind}\nmetadata:\n  name: {name}\n";

    private static ParsedPackage Package(params string[] documents)
        => PackageParser.Parse(string.Join("---\n", documents), "package.yaml");

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    public void Requires_exactly_one_meta(int metas)
    {
        var docs = Enumerable.Repeat(Meta("meta.pkg.crossplane.io/v1", "Function"), metas).Append(Object("apiextensions.k8s.io/v1", "CustomResourceDefinition")).ToArray();
        var error = PackageLinter.Function.Lint(Package(docs));
        Assert.Equal("not exactly one package meta type", error?.Message);
        Assert.Equal(metas == 2 ? 2 : null, error?.Object?.Position.Document);
        Assert.Equal("not exactly one package meta type", PackageLinter.LintPackage(Package(docs))?.Message);
    }

    [Theory]
    [InlineData("meta.pkg.crossplane.io/v1", "Provider", "Provider")]
    [InlineData("meta.pkg.crossplane.io/v1alpha1", "Provider", "Provider")]
    [InlineData("meta.pkg.crossplane.io/v1", "Configuration", "Configuration")]
    [InlineData("meta.pkg.crossplane.io/v1alpha1", "Configuration", "Configuration")]
    [InlineData("meta.pkg.crossplane.io/v1", "Function", "Function")]
    [InlineData("meta.pkg.crossplane.io/v1beta1", "Function", "Function")]
    public void Checks_the_meta_kind_across_api_versions(string apiVersion, string kind, string expected)
    {
        var package = Package(Meta(apiVersion, kind));
        foreach (var linter in new[] { PackageLinter.Provider, PackageLinter.Configuration, PackageLinter.Function })
        {
            var error = linter.Lint(package);
            if (linter.Kind.ToString() == expected)
            {
                Assert.Null(error);
            }
            else
            {
                Assert.Equal($"package meta type is not {linter.Kind}", error?.Message);
            }
        }
    }

    [Theory]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinition", null)]
    [InlineData("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", null)]
    [InlineData("apiextensions.crossplane.io/v1alpha1", "ManagedResourceDefinition", null)]
    [InlineData("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", null)]
    [InlineData("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", null)]
    [InlineData("apiextensions.crossplane.io/v1", "Composition", ProviderOr)]
    [InlineData("apiextensions.crossplane.io/v2", "CompositeResourceDefinition", ProviderOr)]
    [InlineData("admissionregistration.k8s.io/v1", "ValidatingAdmissionPolicy", ProviderOr)]
    public void Provider_objects(string apiVersion, string kind, string? expected)
        => Assert.Equal(expected, PackageLinter.Provider.Lint(Package(Meta("meta.pkg.crossplane.io/v1", "Provider"), Object(apiVersion, kind)))?.Message);

    [Theory]
    [InlineData("apiextensions.crossplane.io/v1", "CompositeResourceDefinition", null)]
    [InlineData("apiextensions.crossplane.io/v2", "CompositeResourceDefinition", null)]
    [InlineData("apiextensions.crossplane.io/v1", "Composition", null)]
    [InlineData("apiextensions.crossplane.io/v1alpha1", "ManagedResourceActivationPolicy", null)]
    [InlineData("ops.crossplane.io/v1alpha1", "Operation", null)]
    [InlineData("ops.crossplane.io/v1alpha1", "CronOperation", null)]
    [InlineData("ops.crossplane.io/v1alpha1", "WatchOperation", null)]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinition", ConfigurationOr)]
    [InlineData("apiextensions.crossplane.io/v1", "CompositionRevision", ConfigurationOr)]
    [InlineData("apiextensions.crossplane.io/v1alpha1", "ManagedResourceDefinition", ConfigurationOr)]
    public void Configuration_objects(string apiVersion, string kind, string? expected)
        => Assert.Equal(expected, PackageLinter.Configuration.Lint(Package(Meta("meta.pkg.crossplane.io/v1", "Configuration"), Object(apiVersion, kind)))?.Message);

    [Theory]
    [InlineData("apiextensions.k8s.io/v1", "CustomResourceDefinition", null)]
    [InlineData("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", null)]
    [InlineData("apiextensions.crossplane.io/v1", "Composition", "object is not a CRD")]
    [InlineData("apiextensions.crossplane.io/v1alpha1", "ManagedResourceDefinition", "object is not a CRD")]
    [InlineData("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", "object is not a CRD")]
    public void Function_objects_are_crds_only(string apiVersion, string kind, string? expected)
        => Assert.Equal(expected, PackageLinter.Function.Lint(Package(Meta("meta.pkg.crossplane.io/v1beta1", "Function"), Object(apiVersion, kind)))?.Message);

    [Fact]
    public void Stops_at_the_first_bad_object_and_names_it()
    {
        var package = Package(Meta("meta.pkg.crossplane.io/v1", "Function"),
            Object("apiextensions.k8s.io/v1", "CustomResourceDefinition", "good"),
            Object("apiextensions.crossplane.io/v1", "Composition", "first"),
            Object("apiextensions.crossplane.io/v1", "Composition", "second"));
        var error = PackageLinter.Function.Lint(package);
        Assert.Equal("first", error?.Object?.Name);
        Assert.Equal("package.yaml: document 3 (line 12): Composition \"first\": object is not a CRD", error?.ToString());
        var e = Assert.Throws<InvalidInputException>(() => PackageLinter.Function.LintOrThrow(package));
        Assert.Equal("package is invalid: package.yaml: document 3 (line 12): Composition \"first\": object is not a CRD", e.Message);
        Assert.Equal(ExitCodes.BadInput, e.ExitCode);
        Assert.NotNull(e.Hint);
    }

    [Theory]
    [InlineData("{crossplane: {version: \">=v1.14.0-0\"}}", null)]
    [InlineData("{crossplane: {version: \"^v2.x || ~1.20\"}}", null)]
    [InlineData("{crossplane: {version: \">>1\"}}", "package version constraints are poorly formatted: improper constraint: >>1")]
    [InlineData("{crossplane: {}}", "package version constraints are poorly formatted: improper constraint: ")]
    [InlineData("{crossplane: {version: \"v1 - \"}}", "package version constraints are poorly formatted: improper constraint: v1 - ")]
    [InlineData("{dependsOn: [{provider: xpkg.crossplane.io/x/p, version: \"not a constraint\"}]}", null)]
    public void Validates_the_crossplane_constraint_only(string spec, string? expected)
        => Assert.Equal(expected, PackageLinter.Configuration.Lint(Package(Meta("meta.pkg.crossplane.io/v1", "Configuration", spec)))?.Message);

    [Theory]
    [InlineData(">=v1.14.0", "v1.20.0", null)]
    [InlineData(">=v1.14.0", "v1.13.2", "package is not compatible with Crossplane version (v1.13.2)")]
    [InlineData(">=v1.14.0", "v2.0.0-rc.1", "package is not compatible with Crossplane version (v2.0.0-rc.1)")]
    [InlineData(">=v1.14.0-0", "v2.0.0-rc.1", null)]
    public void Checks_compatibility_with_a_running_crossplane(string constraint, string version, string? expected)
    {
        var package = Package(Meta("meta.pkg.crossplane.io/v1", "Provider", $"{{crossplane: {{version: \"{constraint}\"}}}}"));
        Assert.Equal(expected, PackageLinter.Provider.Validate(package, SemanticVersion.Parse(version))?.Message);
        Assert.Null(PackageLinter.Provider.Validate(package));
    }

    [Fact]
    public void Validate_ignores_object_kinds_but_lint_does_not()
    {
        var package = Package(Meta("meta.pkg.crossplane.io/v1", "Provider"), Object("apiextensions.crossplane.io/v1", "Composition"));
        Assert.Null(PackageLinter.Provider.Validate(package));
        Assert.Equal(ProviderOr, PackageLinter.Provider.Lint(package)?.Message);
    }

    [Fact]
    public void Real_fixture_packages_lint_clean()
    {
        foreach (string relative in new[]
        {
            "cli/cmd/crossplane/validate/testdata/cache/xpkg.crossplane.io/crossplane-contrib/provider-nop@v0.2.0/package.yaml",
            "crossplane-runtime/pkg/xpkg/testdata/providerconfigs.helm.crossplane.io.yaml",
        })
        {
            string stream = Fixtures.Read("crossplane-runtime/pkg/xpkg/testdata/provider_meta.yaml") + "\n---\n" + Fixtures.Read(relative);
            Assert.Null(PackageLinter.LintPackage(PackageParser.Parse(stream, relative)));
        }

        string function = Fixtures.Read("function-patch-and-transform/package/crossplane.yaml") + "\n---\n"
            + Fixtures.Read("function-patch-and-transform/package/input/pt.fn.crossplane.io_resources.yaml");
        Assert.Null(PackageLinter.LintPackage(PackageParser.Parse(function, "package")));
    }

    [Fact]
    public void Constraint_syntax_follows_the_chosen_semver_dialect()
    {
        var package = Package(Meta("meta.pkg.crossplane.io/v1", "Provider", "{crossplane: {version: \">=v1.14.0 <v3\"}}"));
        Assert.Null(PackageLinter.Provider.Lint(package));
        Assert.Equal("package version constraints are poorly formatted: improper constraint: >=v1.14.0 <v3",
            PackageLinter.Provider.Lint(package, dialect: SemverDialect.MastermindsV1)?.Message);
    }

    [Fact]
    public void Hints_fit_the_failure()
    {
        var wrongKind = PackageLinter.Provider.Lint(Package(Meta("meta.pkg.crossplane.io/v1", "Function")))!;
        Assert.Equal("this package is a Function; install it as a pkg.crossplane.io Function", wrongKind.ToException().Hint);
        var wrongObject = PackageLinter.Function.Lint(Package(Meta("meta.pkg.crossplane.io/v1", "Function"), Object("apiextensions.crossplane.io/v1", "Composition")))!;
        Assert.StartsWith("Functions may contain only CRDs", wrongObject.ToException().Hint, StringComparison.Ordinal);
    }
}
