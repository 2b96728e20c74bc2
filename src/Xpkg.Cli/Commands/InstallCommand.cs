using System.CommandLine;
using System.Text.Json.Nodes;
using Xpkg.Install;
using Xpkg.Install.Events;
using Xpkg.Install.Input;
using Xpkg.Install.Sources;
using Xpkg.Registry;
using Xpkg.Registry.Hosts;

namespace Xpkg.Cli.Commands;

/// <summary><c>xpkg install -f FILE...</c>: reconcile package manifests into a state directory, from the cache.</summary>
internal static class InstallCommand
{
    public static Command Create()
    {
        var files = new Option<string[]>("--filename", "-f")
        {
            Description = "a manifest file, a directory of YAML files, or - for standard input (repeatable)",
            Required = true,
            AllowMultipleArgumentsPerToken = false,
        };
        var stateDir = new Option<string?>("--state-dir")
        {
            Description = "where the Lock, packages, revisions, objects, runtime and events are written (env XPKG_STATE_DIR; default $XDG_STATE_HOME/xpkg or ~/.local/state/xpkg)",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("XPKG_STATE_DIR"),
        };
        var explain = new Option<bool>("--explain") { Description = "print every decision: references, ImageConfig rewrites, pull policies, cache hits, versions chosen, revisions" };
        var crossplaneVersion = new Option<string>("--crossplane-version")
        {
            Description = $"the Crossplane version spec.crossplane.version constraints are checked against (default {InstallOptions.DefaultCrossplaneVersion})",
            DefaultValueFactory = _ => InstallOptions.DefaultCrossplaneVersion,
        };
        var ns = new Option<string>("--namespace")
        {
            Description = $"the namespace Crossplane runs in, for runtime objects (default {InstallOptions.DefaultNamespace})",
            DefaultValueFactory = _ => InstallOptions.DefaultNamespace,
        };
        var command = new Command("install", "install Crossplane packages (Function, Provider, Configuration manifests) from the cache into a state directory")
        {
            files, stateDir, explain, crossplaneVersion, ns,
        };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(parse, async ctx =>
        {
            string directory = ctx.Get(stateDir) is { Length: > 0 } d ? d : DefaultStateDirectory();
            var result = await InstallAsync(ctx, ctx.Get(files) ?? [], directory, ctx.Get(explain), ctx.Get(crossplaneVersion)!, ctx.Get(ns)!, ct);
            Print(ctx, result, directory);
            return 0;
        }, ct));
        return command;
    }

    /// <summary>Resolves and writes the state directory; shared by <c>install</c> and <c>quickstart</c>.</summary>
    internal static async Task<InstallResult> InstallAsync(CliContext ctx, IReadOnlyList<string> files, string directory, bool explain,
        string crossplaneVersion, string ns, CancellationToken ct, bool offline = false)
    {
        var input = await ManifestReader.ReadAsync(files, ct);
        var options = new InstallOptions { Offline = ctx.Offline || offline, CrossplaneVersion = crossplaneVersion, Namespace = ns };
        bool explaining = explain;
        var log = new InstallLog(explaining ? e => ctx.Say("  " + e) : null);

        // Offline there is no registry end at all, so no connection can open by accident.
        var registryLog = new ExplainLog { OnEvent = e => log.Add("registry", e.Topic, e.Message) };
        using var registry = options.Offline ? null : new RegistryPackageSource(ctx.Store, () => new RegistryClient(RegistryOptions(ctx, input, registryLog)), registryLog);
        IPackageSource source = registry is null ? new CachePackageSource(ctx.Store) : registry;
        await using var containerd = ContainerdOptions.IsSet(ctx) ? new ContainerdPackageSource(source, ctx.Store, () => ContainerdOptions.Connect(ctx)) : null;
        var installer = new PackageInstaller(ctx.Store, containerd ?? source, options);
        return await installer.InstallAsync(input, directory, log, ct);

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

    private static RegistryClientOptions RegistryOptions(CliContext ctx, ManifestSet input, ExplainLog log) => new()
    {
        Hosts = GlobalOptions.HostOptions(ctx.Parse),
        Log = log,
        Credentials = new PullSecretCredentials(input.Secrets, Xpkg.Registry.Auth.CredentialFiles.Load()),
        Offline = ctx.Offline,

        // The cache verifies every blob it writes; hashing once is enough.
        VerifyBlobs = false,
    };

    private static string DefaultStateDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        return Path.Combine(baseDir, "xpkg");
    }
}
