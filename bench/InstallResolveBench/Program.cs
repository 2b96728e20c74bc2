// InstallResolveBench WORK_DIR [NODES] [WARMUP] [RUNS]: builds NODES packages (each in two versions) with
// the real package builder into a fresh cache under WORK_DIR, every package depending on up to three later
// ones, then times PackageInstaller.ResolveAsync of the first (the whole graph: reading every package from
// the cache, ImageConfig/policy decisions, version selection among cached tags, cycle check) in-process.
// Prints nodes, first_ms (cold), median_ms, p99_ms, min_ms (wall) and cpu_ms (process user+sys per
// resolution, mean over the timed runs), one "name value" pair a line.
using System.Diagnostics;
using System.Globalization;
using Xpkg.Install;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Install.State;
using Xpkg.Packages.Building;
using Xpkg.Store;
using Xpkg.Transfer;

if (args.Length < 1)
{
    Console.Error.WriteLine("usage: InstallResolveBench WORK_DIR [NODES] [WARMUP] [RUNS]");
    return 2;
}

var inv = CultureInfo.InvariantCulture;
string work = args[0];
int nodes = args.Length > 1 ? int.Parse(args[1], inv) : 200;
int warmup = args.Length > 2 ? int.Parse(args[2], inv) : 5;
int runs = args.Length > 3 ? int.Parse(args[3], inv) : 30;
const string Repo = "bench.example.com/graph";
int functions = nodes / 4;

string Kind(int i) => i >= nodes - functions ? "Function" : "Configuration";

var store = ContentStore.Open(Path.Combine(work, "cache"));
for (int i = 0; i < nodes; i++)
{
    foreach (string version in new[] { "v1.0.0", "v1.1.0" })
    {
        string root = Path.Combine(work, "roots", $"{i}-{version}");
        Directory.CreateDirectory(root);
        var deps = new[] { i + 1, i + 7, i + 13 }.Where(j => j < nodes && (Kind(i) == "Configuration" || Kind(j) == "Function")).Select(j =>
            $"  - apiVersion: pkg.crossplane.io/v1\n    kind: {Kind(j)}\n    package: {Repo}/pkg-{j:D3}\n    version: \">=v1.0.0, <v2.0.0\"\n");
        string dependsOn = string.Concat(deps);
        await File.WriteAllTextAsync(Path.Combine(root, "crossplane.yaml"),
            $"apiVersion: meta.pkg.crossplane.io/v1\nkind: {Kind(i)}\nmetadata:\n  name: pkg-{i:D3}\n  annotations: {{version: {version}}}\nspec:{(dependsOn.Length == 0 ? " {}\n" : "\n  dependsOn:\n" + dependsOn)}");
        await using var built = await PackageBuilder.BuildAsync(new PackageBuildOptions { PackageRoot = root, ExamplesRoot = Path.Combine(root, "none") }, CancellationToken.None);
        await CopyEngine.CopyAsync(built, built.Root, store, new CopyOptions(), CancellationToken.None);
        await store.TagAsync($"{Repo}/pkg-{i:D3}:{version}", built.Root, "bench", CancellationToken.None);
    }
}

var input = await ManifestReader.ParseAsync(
    $"apiVersion: pkg.crossplane.io/v1\nkind: Configuration\nmetadata:\n  name: root\nspec:\n  package: {Repo}/pkg-000:v1.1.0\n", "in.yaml", CancellationToken.None);

async Task<int> ResolveOnce()
{
    var installer = new PackageInstaller(store, new CachePackageSource(store), new InstallOptions { Offline = true });
    var closure = await installer.ResolveAsync(input, InstalledState.Empty, new InstallLog(), CancellationToken.None);
    return closure.Count;
}

var sw = Stopwatch.StartNew();
int resolved = await ResolveOnce();
double firstMs = sw.Elapsed.TotalMilliseconds;
for (int i = 0; i < warmup; i++)
{
    await ResolveOnce();
}

var times = new double[runs];
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
for (int i = 0; i < runs; i++)
{
    long start = Stopwatch.GetTimestamp();
    await ResolveOnce();
    times[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
}

// Process CPU time per resolution: on a machine shared with other builds, wall time mostly measures the wait.
double cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalMilliseconds / runs;
Array.Sort(times);
Console.WriteLine(string.Create(inv, $"nodes {resolved}"));
Console.WriteLine(string.Create(inv, $"first_ms {firstMs:F3}"));
Console.WriteLine(string.Create(inv, $"median_ms {times[runs / 2]:F3}"));
Console.WriteLine(string.Create(inv, $"p99_ms {times[Math.Min(runs - 1, (int)Math.Ceiling(runs * 0.99) - 1)]:F3}"));
Console.WriteLine(string.Create(inv, $"min_ms {times[0]:F3}"));
Console.WriteLine(string.Create(inv, $"cpu_ms {cpuMs:F3}"));
return 0;
