using System.Text.Json;
using Xpkg.Packages.Inspection;
using Xpkg.Packages.Locating;

namespace Xpkg.Packages.Tests.Inspection;

public class PackageSummaryTests
{
    [Fact]
    public async Task Summarises_the_real_xpkg_for_inspect()
    {
        var xpkg = XpkgFile.Open();
        var (root, manifest) = xpkg.Manifest(annotated: false);
        var (package, location) = await new PackageLocator(xpkg.Source).ParseAsync(root, manifest, CancellationToken.None);
        var summary = PackageSummary.From(package, location);
        Assert.NotNull(summary);

        string json = JsonSerializer.Serialize(summary, PackagesJsonContext.Default.PackageSummary);
        using var doc = JsonDocument.Parse(json);
        var p = doc.RootElement;
        Assert.Equal("meta.pkg.crossplane.io/v1beta1", p.GetProperty("apiVersion").GetString());
        Assert.Equal("Function", p.GetProperty("kind").GetString());
        Assert.Equal("function-conditional-patch-and-transform", p.GetProperty("name").GetString());
        Assert.Equal(JsonValueKind.Null, p.GetProperty("crossplaneVersion").ValueKind);
        Assert.Equal(0, p.GetProperty("dependsOn").GetArrayLength());
        Assert.Equal("composition", p.GetProperty("capabilities")[0].GetString());
        Assert.Equal("Apache-2.0", p.GetProperty("annotations").GetProperty("meta.crossplane.io/license").GetString());
        var crd = Assert.Single(p.GetProperty("objects").EnumerateArray());
        Assert.Equal("CustomResourceDefinition", crd.GetProperty("kind").GetString());
        Assert.Equal("resources.conditional-pt.fn.crossplane.io", crd.GetProperty("name").GetString());
        Assert.Equal(XpkgFile.BaseLayer, p.GetProperty("baseLayer").GetProperty("digest").GetString());
        Assert.Equal("label", p.GetProperty("baseLayer").GetProperty("foundBy").GetString());
    }

    [Fact]
    public void Dependencies_are_reported_in_one_shape_for_both_styles()
    {
        var package = PackageParser.Parse("""
            apiVersion: meta.pkg.crossplane.io/v1
            kind: Configuration
            metadata: {name: c}
            spec:
              crossplane: {version: ">=v2.0.0"}
              dependsOn:
              - {apiVersion: pkg.crossplane.io/v1, kind: Function, package: xpkg.crossplane.io/x/fn, version: ">=v0.1.0"}
              - {provider: xpkg.crossplane.io/x/p, version: "sha256:ecc25c121431dfc7058754427f97c034ecde26d4aafa0da16d258090e0443904"}
            """, "crossplane.yaml");
        var summary = PackageSummary.From(package)!;
        Assert.Equal(">=v2.0.0", summary.CrossplaneVersion);
        Assert.Equal(new DependencySummary { ApiVersion = "pkg.crossplane.io/v1", Kind = "Function", Package = "xpkg.crossplane.io/x/fn", Version = ">=v0.1.0" }, summary.DependsOn[0]);
        Assert.Equal(new DependencySummary { Kind = "Provider", Package = "xpkg.crossplane.io/x/p", Version = "sha256:ecc25c121431dfc7058754427f97c034ecde26d4aafa0da16d258090e0443904" }, summary.DependsOn[1]);
        Assert.Empty(summary.Capabilities);
        Assert.Null(summary.BaseLayer);
    }

    [Fact]
    public void No_single_meta_means_no_summary()
        => Assert.Null(PackageSummary.From(new ParsedPackage([], [])));
}
