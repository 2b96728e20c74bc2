using System.CommandLine;
using Xpkg.Install;
using Xpkg.Oci;
using Xpkg.Packages.Building;
using Xpkg.Transfer;

namespace Xpkg.Cli.Commands;

/// <summary>
/// The main job end to end, with nothing but this repository: build the sample packages in <c>examples/</c>,
/// load them into the cache, and install <c>examples/install.yaml</c> offline with IfNotPresent.
/// </summary>
internal static class QuickstartCommand
{
    private const string Registry = "example.com/xpkg-quickstart/";
    private const string Version = "v0.1.0";

    public static Command Create()
    {
        var examples = new Option<string>("--examples") { Description = "the examples directory of this repository", DefaultValueFactory = _ => "examples" };
        var output = new Option<string>("--out") { Description = "where the built packages and the state directory go", DefaultValueFactory = _ => "quickstart-out" };
        var command = new Command("quickstart", "build the sample packages, load them and install examples/install.yaml offline, explaining each step") { examples, output };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string dir = Path.GetFullPath(ctx.Get(examples)!);
            if (!File.Exists(Path.Combine(dir, "install.yaml")))
            {
                throw new InvalidInputException($"{dir} has no install.yaml", "run quickstart from the repository root, or point --examples at its examples/ directory");
            }

            string outDir = Path.GetFullPath(ctx.Get(output)!);
            Directory.CreateDirectory(outDir);
            ctx.Say($"1. Building the sample packages in {dir}");
            foreach (var package in Directory.EnumerateDirectories(dir).Where(d => File.Exists(Path.Combine(d, "package", "crossplane.yaml"))).Order(StringComparer.Ordinal))
            {
                string name = Path.GetFileName(package);
                await using var built = await PackageBuilder.BuildAsync(new PackageBuildOptions
                {
                    PackageRoot = Path.Combine(package, "package"),
                    ExamplesRoot = Path.Combine(package, "examples"),
                }, ct);
                string file = Path.Combine(outDir, name + ".xpkg");
                await BuildCommand.WriteAsync(built, file, ct);
                ctx.Say($"   {built.Meta.Kind} {built.Meta.Name}: {file} ({built.Root.Digest})");

                string reference = Registry + name + ":" + Version;
                var loaded = await new ArchiveLoader(ctx.Store).LoadAsync(file, reference, new CopyOptions(), ct);
                ctx.Say($"   loaded into the cache {ctx.Store.Root} as {loaded.Images[0].Reference}");
            }

            string state = Path.Combine(outDir, "state");
            ctx.Say($"2. Installing {Path.Combine(dir, "install.yaml")} with IfNotPresent, offline (no network at all), explaining each decision:");
            var result = await InstallCommand.InstallAsync(ctx, [Path.Combine(dir, "install.yaml")], state, explain: true,
                InstallOptions.DefaultCrossplaneVersion, InstallOptions.DefaultNamespace, ct, offline: true);
            ctx.Say("3. Result:");
            InstallCommand.Print(ctx, result, state);
            ctx.Say($"   The Lock, packages, revisions, objects (CRDs, XRDs, Compositions) and runtime Deployments are in {state};");
            ctx.Say($"   apply them with kubectl, or install into a cluster from this cache: see README, \"From the cache to a kind cluster\".");
            return 0;
        }, ct));
        return command;
    }
}
