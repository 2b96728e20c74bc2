using Xpkg.Install.State;
using Xpkg.Transfer;
using static Xpkg.Install.Tests.Packages;

namespace Xpkg.Install.Tests;

public sealed class StateDirectoryTests : IDisposable
{
    private const string Function = Host + "/org/function-x";
    private const string Provider = Host + "/org/provider-y";
    private readonly TestCache _cache = new();

    public void Dispose() => _cache.Dispose();

    private async Task<string> SeedAsync()
    {
        await _cache.AddPackageAsync(Provider + ":v0.2.0", Meta("Provider", "provider-y") + Crd);
        var digest = await _cache.AddPackageAsync(Function + ":v1.0.0", Meta("Function", "function-x", Dep("Provider", Provider, ">=v0.1.0")) + Crd);
        return digest.Encoded;
    }

    [Fact]
    public async Task WritesLockPackagesRevisionsObjectsRuntimeAndEvents()
    {
        string hex = await SeedAsync();
        var result = await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.0.0"), offline: true);

        string revision = "fn-" + hex[..12];
        Assert.Equal(revision, result.Packages[0].RevisionName);
        Assert.Equal(
            [
                "events.log", "lock.yaml", "objects/provider.org-provider-y.yaml", "packages/function.fn.yaml", "packages/provider.org-provider-y.yaml",
                $"revisions/functionrevision.{revision}.yaml", $"revisions/providerrevision.{result.Packages[1].RevisionName}.yaml",
                "runtime/function.fn.yaml", "runtime/provider.org-provider-y.yaml",
            ],
            _cache.StateFiles());

        string lockYaml = _cache.State("lock.yaml");
        Assert.StartsWith("apiVersion: pkg.crossplane.io/v1beta1\nkind: Lock\nmetadata:\n  name: lock\n", lockYaml);
        Assert.Contains($"- name: {revision}\n", lockYaml);
        Assert.Contains($"    source: {Function}\n    version: v1.0.0\n", lockYaml);
        Assert.Contains($"      - package: {Provider}\n        apiVersion: pkg.crossplane.io/v1\n        kind: Provider\n        type: Provider\n        constraints: '>=v0.1.0'\n", lockYaml);

        string package = _cache.State("packages/function.fn.yaml");
        Assert.Contains("  packagePullPolicy: IfNotPresent\n", package);
        Assert.Contains("    - type: Installed\n      status: \"True\"\n      reason: ActivePackageRevision\n", package);
        Assert.Contains("      reason: UnknownPackageRevisionHealth\n", package);
        Assert.Contains($"  currentRevision: {revision}\n", package);
        Assert.Contains($"  resolvedPackage: {Function}:v1.0.0\n", package);

        string rev = _cache.State($"revisions/functionrevision.{revision}.yaml");
        Assert.Contains("    pkg.crossplane.io/package: fn\n", rev);
        Assert.Contains("  desiredState: Active\n", rev);
        Assert.Contains("  revision: 1\n", rev);
        Assert.Contains("  capabilities:\n    - composition\n", rev);
        Assert.Contains("  foundDependencies: 1\n  installedDependencies: 1\n", rev);
        Assert.Contains("  endpoint: dns:///fn.crossplane-system:9443\n", rev);
        Assert.DoesNotContain("objectRefs", rev);

        string providerRev = _cache.State($"revisions/providerrevision.{result.Packages[1].RevisionName}.yaml");
        Assert.Contains("  objectRefs:\n    - apiVersion: apiextensions.k8s.io/v1\n      kind: CustomResourceDefinition\n      name: things.example.org\n", providerRev);
        Assert.Contains("kind: CustomResourceDefinition\nmetadata:\n  name: things.example.org\n", _cache.State("objects/provider.org-provider-y.yaml"));

        string runtime = _cache.State("runtime/function.fn.yaml");
        Assert.Contains($"          image: {Function}@sha256:{hex}\n", runtime);
        Assert.Contains("          imagePullPolicy: IfNotPresent\n", runtime);
        Assert.Contains("kind: Service\n", runtime);
        Assert.Contains("    - name: grpc\n      protocol: TCP\n      port: 9443\n      targetPort: 9443\n", runtime);
        Assert.Contains("  clusterIP: None\n", runtime);

        string events = _cache.State("events.log");
        Assert.Contains("Function/fn: policy: IfNotPresent becomes Never (--offline)\n", events);
        Assert.Equal(result.Log.ToText(), events);
    }

    [Fact]
    public async Task ReRunningChangesNothing()
    {
        await SeedAsync();
        string manifests = PackageManifest("Function", "fn", Function + ":v1.0.0");
        await _cache.InstallAsync(manifests, offline: true);
        var before = _cache.StateFiles().Where(f => f != "events.log").ToDictionary(f => f, f => (_cache.State(f), File.GetLastWriteTimeUtc(Path.Combine(_cache.StateDirectory, f))));

        var again = await _cache.InstallAsync(manifests, offline: true);

        Assert.Empty(again.ChangedFiles);
        var after = _cache.StateFiles().Where(f => f != "events.log").ToDictionary(f => f, f => (_cache.State(f), File.GetLastWriteTimeUtc(Path.Combine(_cache.StateDirectory, f))));
        Assert.Equal(before, after);
        Assert.Contains(again.Log.Events, e => e.Message.Contains("is already current; nothing changes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UpgradesCreateNumberedRevisionsAndPruneBeyondTheHistoryLimit()
    {
        var hexes = new List<string>();
        foreach (string tag in new[] { "v1.0.0", "v1.1.0", "v1.2.0" })
        {
            hexes.Add((await _cache.AddPackageAsync($"{Function}:{tag}", Meta("Function", "function-x") + "# " + tag + "\n")).Encoded);
        }

        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.0.0"), offline: true);
        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.1.0"), offline: true);

        string first = $"revisions/functionrevision.fn-{hexes[0][..12]}.yaml";
        string second = $"revisions/functionrevision.fn-{hexes[1][..12]}.yaml";
        Assert.Contains("  desiredState: Inactive\n", _cache.State(first));
        Assert.Contains("  revision: 1\n", _cache.State(first));
        Assert.Contains("  desiredState: Active\n", _cache.State(second));
        Assert.Contains("  revision: 2\n", _cache.State(second));

        var third = await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.2.0"), offline: true);
        Assert.False(_cache.StateExists(first), "revisionHistoryLimit 1 keeps one inactive revision");
        Assert.Contains("  desiredState: Inactive\n", _cache.State(second));
        Assert.Contains("  revision: 3\n", _cache.State($"revisions/functionrevision.fn-{hexes[2][..12]}.yaml"));
        Assert.Contains(first, third.ChangedFiles);

        // Going back re-activates the old revision under a new number.
        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.1.0", "  revisionHistoryLimit: 0\n"), offline: true);
        Assert.Contains("  revision: 4\n", _cache.State(second));
        Assert.Contains("  desiredState: Active\n", _cache.State(second));
    }

    [Fact]
    public async Task ManualActivationLeavesTheNewRevisionInactive()
    {
        await _cache.AddPackageAsync(Function + ":v1.0.0", Meta("Function", "function-x"));
        var v2 = await _cache.AddPackageAsync(Function + ":v2.0.0", Meta("Function", "function-x") + "# v2\n");
        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.0.0"), offline: true);
        string runtimeBefore = _cache.State("runtime/function.fn.yaml");

        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v2.0.0", "  revisionActivationPolicy: Manual\n"), offline: true);

        Assert.Contains("  desiredState: Inactive\n", _cache.State($"revisions/functionrevision.fn-{v2.Encoded[..12]}.yaml"));
        Assert.Contains("reason: InactivePackageRevision", _cache.State("packages/function.fn.yaml"));
        Assert.Equal(runtimeBefore, _cache.State("runtime/function.fn.yaml"));
    }

    [Fact]
    public async Task DeploymentRuntimeConfigIsLaidOverTheRuntime()
    {
        string hex = (await _cache.AddPackageAsync(Function + ":v1.0.0", Meta("Function", "function-x"))).Encoded;
        string manifests = PackageManifest("Function", "fn", Function + ":v1.0.0", "  packagePullPolicy: Never\n  runtimeConfigRef:\n    name: debug\n") + """
            ---
            apiVersion: pkg.crossplane.io/v1beta1
            kind: DeploymentRuntimeConfig
            metadata:
              name: debug
            spec:
              deploymentTemplate:
                spec:
                  replicas: 2
                  selector: {}
                  template:
                    spec:
                      containers:
                      - name: package-runtime
                        args: [--debug]
                        imagePullPolicy: Always
              serviceAccountTemplate:
                metadata:
                  name: fn-sa

            """;

        await _cache.InstallAsync(manifests);

        string runtime = _cache.State("runtime/function.fn.yaml");
        Assert.Contains("  replicas: 2\n", runtime);
        Assert.Contains("            - --debug\n", runtime);
        Assert.Contains("          imagePullPolicy: Never\n", runtime);
        Assert.Contains($"          image: {Function}@sha256:{hex}\n", runtime);
        Assert.Contains("      serviceAccountName: fn-sa\n", runtime);
        Assert.Contains("kind: ServiceAccount\nmetadata:\n  name: fn-sa\n", runtime);
    }

    [Fact]
    public async Task PackagesNoLongerNeededLeaveTheStateDirectory()
    {
        await SeedAsync();
        await _cache.AddPackageAsync(Host + "/org/function-z:v1.0.0", Meta("Function", "function-z"));
        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.0.0"), offline: true);

        await _cache.InstallAsync(PackageManifest("Function", "z", Host + "/org/function-z:v1.0.0"), offline: true);

        Assert.DoesNotContain(_cache.StateFiles(), f => f.Contains("provider", StringComparison.Ordinal) || f.Contains(".fn.", StringComparison.Ordinal));
        Assert.Contains("packages/function.z.yaml", _cache.StateFiles());
    }

    [Fact]
    public async Task StateReaderReadsBackWhatWasWritten()
    {
        await SeedAsync();
        await _cache.InstallAsync(PackageManifest("Function", "fn", Function + ":v1.0.0"), offline: true);

        var state = await StateReader.ReadAsync(_cache.StateDirectory, CancellationToken.None);

        Assert.Equal(["fn", "org-provider-y"], state.Packages.Select(p => p.Name));
        Assert.All(state.Revisions, r => Assert.True(r.Active));
        Assert.Equal(Provider + ":v0.2.0", state.FindByKey(Provider, Xpkg.Packages.PackageKind.Provider)?.Package);
    }
}
