namespace Xpkg.Install.Tests;

/// <summary>Package streams and install manifests for tests.</summary>
internal static class Packages
{
    public const string Host = "registry.example.com";

    public static string Meta(string kind, string name, string dependsOn = "", string? crossplane = null)
    {
        string spec = (crossplane is null ? "" : $"  crossplane:\n    version: \"{crossplane}\"\n") + (dependsOn.Length == 0 ? "" : "  dependsOn:\n" + dependsOn);
        return $"apiVersion: meta.pkg.crossplane.io/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:{(spec.Length == 0 ? " {}\n" : "\n" + spec)}";
    }

    /// <summary>A new-style dependency entry.</summary>
    public static string Dep(string kind, string package, string version)
        => $"  - apiVersion: pkg.crossplane.io/v1\n    kind: {kind}\n    package: {package}\n    version: \"{version}\"\n";

    /// <summary>A deprecated-style dependency entry (<c>provider:</c>, <c>function:</c>, <c>configuration:</c>).</summary>
    public static string OldDep(string key, string package, string version)
        => $"  - {key}: {package}\n    version: \"{version}\"\n";

    public const string Crd = """
        ---
        apiVersion: apiextensions.k8s.io/v1
        kind: CustomResourceDefinition
        metadata:
          name: things.example.org
        spec:
          group: example.org
          names: {kind: Thing, plural: things}
          scope: Cluster
          versions:
          - name: v1
            served: true
            storage: true
            schema: {openAPIV3Schema: {type: object}}

        """;

    public static string PackageManifest(string kind, string name, string package, string extraSpec = "")
        => $"---\napiVersion: pkg.crossplane.io/v1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:\n  package: {package}\n{extraSpec}";
}
