using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.ContainerdClient;
using Xpkg.Install;
using Xpkg.Install.CacheExport;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Registry;
using Xpkg.Registry.Hosts;

namespace Xpkg.Cli.Commands;

/// <summary><c>xpkg install -f FILE...</c>: reconcile package manifests into a state directory, from the cache.</summary>
internal static class InstallCommand
{
    /// <summary><c>-f FILE</c>: manifests, as <c>install</c> and <c>bundle create</c> read them.</summary>
    internal static Option<string[]> FilesOption() => new("--filename", "-f")
    {
        Description = "a manifest file, a directory of YAML files, or - for standard input (repeatable)",
        Required = true,
        AllowMultipleArgumentsPerToken = false,
    };

    internal static Option<bool> ExplainOption() => new("--explain") { Description = "print every decision: references, ImageConfig rewrites, pull policies, cache hits, versions chosen, revisions" };

    internal static Option<string> CrossplaneVersionOption() => new("--crossplane-version")
    {
        Description = $"the Crossplane version spec.crossplane.version constraints are checked against (default {InstallOptions.DefaultCrossplaneVersion})",
        DefaultValueFactory = _ => InstallOptions.DefaultCrossplaneVersion,
    };

    public static Command Create()
    {
        var files = FilesOption();
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = "where the Lock, packages, revisions, objects, runtime and events are written (env XPKG_STATE_DIR; default $XDG_STATE_HOME/xpkg or ~/.local/state/xpkg)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_STATE_DIR"),
        };
        var explain = ExplainOption();
        var crossplaneVersion = CrossplaneVersionOption();
        var ns = new Option<string>("--namespace")
        {
            Description = $"the namespace Crossplane runs in, for runtime objects (default {InstallOptions.DefaultNamespace})",
            DefaultValueFactory = _ => InstallOptions.DefaultNamespace,
        };
        var cache = new Option<string?>("--crossplane-cache")
        {
            Description = "also write Crossplane package-cache entries (gzip of package.yaml) into DIR, to mount at /cache/xpkg (Helm packageCache.pvc)",
        };
        var layout = new Option<string>("--crossplane-cache-layout")
        {
            Description = "the file names of --crossplane-cache: v2.2 (Crossplane v2.2 and later: FriendlyID(source, digest).gz) or v2.1 (<revision name>.gz)",
            DefaultValueFactory = _ => "v2.2",
        };
        var command = new Command("install", "install Crossplane packages (Function, Provider, Configuration manifests) from the cache into a state directory")
        {
            files, stateDir, explain, crossplaneVersion, ns, cache, layout,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string directory = ctx.Get(stateDir) is { Length: > 0 } d ? d : DefaultStateDirectory();
            var export = ctx.Get(cache) is { Length: > 0 } c ? new CrossplaneCacheExport(c, CrossplaneCacheExport.ParseLayout(ctx.Get(layout)!)) : null;
            var result = await InstallAsync(ctx, ctx.Get(files) ?? [], directory, ctx.Get(explain), ctx.Get(crossplaneVersion)!, ctx.Get(ns)!, ct, export: export);
            Print(ctx, result, directory);
            return 0;
        }, ct));
        return command;
    }

    /// <summary>Resolves and writes the state directory; shared by <c>install</c> and <c>quickstart</c>.</summary>
    internal static async Task<InstallResult> InstallAsync(CliContext ctx, IReadOnlyList<string> files, string directory, bool explain,
        string crossplaneVersion, string ns, CancellationToken ct, bool offline = false, CrossplaneCacheExport? export = null)
    {
        var input = await ManifestReader.ReadAsync(files, ct);
        var options = new InstallOptions { Offline = ctx.Offline || offline, CrossplaneVersion = crossplaneVersion, Namespace = ns, CrossplaneCache = export };
        var log = NewLog(ctx, explain);
        return await WithSourceAsync(ctx, input, options, log, source => new PackageInstaller(ctx.Store, source, options).InstallAsync(input, directory, log, ct));
    }

    internal static InstallLog NewLog(CliContext ctx, bool explain) => new(explain ? e => ctx.Say("  " + e) : null);

    /// <summary>
    /// Runs <paramref name="action"/> with the package source the command line configures: the cache, then
    /// containerd when configured, then registries (none at all offline, so no connection can open by accident).
    /// </summary>
    internal static async Task<T> WithSourceAsync<T>(CliContext ctx, ManifestSet input, InstallOptions options, InstallLog log, Func<IPackageSource, Task<T>> action)
    {
        var registryLog = new ExplainLog { OnEvent = e => log.Add("registry", e.Topic, e.Message) };
        using var registry = options.Offline ? null : new RegistryPackageSource(ctx.Store, secrets => new RegistryClient(RegistryOptions(ctx, secrets, registryLog)), registryLog);
        IPackageSource source = registry is null ? new CachePackageSource(ctx.Store) : registry;
        await using var containerd = ContainerdOptions.IsSet(ctx) ? new ContainerdPackageSource(source, ctx.Store, () => ConnectContainerd(ctx, log)) : null;
        return await action(containerd ?? source);
    }

    // Install keeps its own log, so containerd's choice of content files or Read API is said there.
    private static ContainerdStore ConnectContainerd(CliContext ctx, InstallLog log)
    {
        var store = ContainerdOptions.Connect(ctx);
        store.Explain = m => log.Add("containerd", "content", m);
        return store;
    }

    internal static void Print(CliContext ctx, InstallResult result, string directory)
    {
        if (ctx.Json)
        {
            CliContext.WriteJson(new JsonArray(result.Packages.Select(p => (JsonNode)new JsonObject
            {
                ["kind"] = p.Kind.ToString(),
                ["name"] = p.Name,
                ["package"] = p.Request.Package.Original,
                ["resolvedPackage"] = p.ResolvedPackage,
                ["digest"] = p.Image.Digest.ToString(),
                ["revision"] = result.Revisions[p].Current.Name,
                ["source"] = p.Image.Origin.ToString().ToLowerInvariant(),
                ["dependencies"] = new JsonArray(p.Requirements.Select(r =>
                {
                    var installed = result.Packages.FirstOrDefault(n => n.Key == r.Key);
                    return (JsonNode)new JsonObject
                    {
                        ["kind"] = r.Kind.ToString(),
                        ["package"] = r.Source,
                        ["constraints"] = r.Constraint,
                        ["name"] = installed?.Name,
                        ["version"] = installed?.Version,
                    };
                }).ToArray()),
            }).ToArray()));
        }
        else
        {
            var rows = result.Packages.Select(p => new[]
            {
                $"{p.Kind}/{p.Name}",
                p.ResolvedPackage,
                Humanize.ShortDigest(p.Image.Digest),
                result.Revisions[p].Current.Name + (result.Revisions[p].Current.Active ? "" : " (inactive)"),
                p.IsRoot ? "requested" : "dependency",
            }).ToList();
            TextTable.Write(["PACKAGE", "RESOLVED", "DIGEST", "REVISION", "WHY"], rows);
        }

        CliContext.Note(result.ChangedFiles.Count == 0
            ? $"state in {Path.GetFullPath(directory)} is up to date"
            : $"state written to {Path.GetFullPath(directory)} ({result.ChangedFiles.Count} files changed; events in events.log)");
    }

    // Each package logs in with its own pull secrets (then this machine's logins), as Crossplane fetches each package.
    private static RegistryClientOptions RegistryOptions(CliContext ctx, IReadOnlyList<PullSecret> secrets, ExplainLog log) => ctx.RegistryOptions(log) with
    {
        Credentials = new PullSecretCredentials(secrets, Xpkg.Registry.Auth.CredentialFiles.Load()),
    };

    private static string DefaultStateDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(baseDir, "xpkg");
    }
}
