using System.CommandLine;
using System.Globalization;
using System.Text.RegularExpressions;
using Xpkg.ContainerdClient;
using Xpkg.Oci;
using Xpkg.Registry;
using Xpkg.Server.Upstreams;

namespace Xpkg.Cli.Commands;

/// <summary>The upstream <c>xpkg serve</c> answers from besides its cache: a mirror of registries, or containerd.</summary>
internal static partial class ServeUpstream
{
    public static readonly Option<bool> Mirror = new("--mirror")
    {
        Description = "pull-through mirror: answer for upstream registries (named by ?ns= or a /v2/HOST/… path prefix), caching what is fetched; with --containerd-socket, containerd's images answer first",
    };

    public static readonly Option<string> MirrorTtl = new("--mirror-ttl")
    {
        HelpName = "DURATION",
        Description = "how long a mirrored tag is served from the cache before it is checked upstream again (e.g. 30s, 5m, 1h)",
        DefaultValueFactory = _ => "5m",
    };

    public static IEnumerable<Option> Options => [Mirror, MirrorTtl, CommonOptions.Explain];

    /// <summary>
    /// The upstream the options ask for, or null; with both <c>--mirror</c> and <c>--containerd-socket</c>, the mirror
    /// and containerd as its local store, asked first. What each says about itself goes to <paramref name="describe"/>.
    /// </summary>
    public static async Task<(IUpstream? Upstream, IUpstream? Local)> CreateAsync(CliContext ctx, Action<string> describe, CancellationToken ct)
    {
        bool mirror = ctx.Get(Mirror);
        IUpstream? containerd = null;
        if (ContainerdOptions.IsSet(ctx))
        {
            var store = await ConnectAsync(ctx, ct);
            containerd = new ContainerdUpstream(store);
            describe(mirror
                ? $"serving {store.Description} read-only first, for the names the mirror answers (e.g. /v2/docker.io/library/alpine or ?ns=docker.io)"
                : $"serving {store.Description} read-only (names as containerd has them, e.g. docker.io/library/alpine:3.20)");
        }

        if (!mirror)
        {
            return (containerd, null);
        }

        var log = new ExplainLog { Keep = false };
        if (ctx.Parse.GetResult(CommonOptions.Explain) is not null && ctx.Get(CommonOptions.Explain))
        {
            log.OnEvent = e => Console.Error.WriteLine($"explain: {e.Topic}: {e.Message}");
        }

        RegistryClientOptions options;
        try
        {
            options = ctx.RegistryOptions(log);
        }
        catch
        {
            await (containerd?.DisposeAsync() ?? ValueTask.CompletedTask);
            throw;
        }

        var check = options with { MaxAttempts = 1, IdleTimeout = RevalidateTimeout };
        describe($"mirroring upstream registries{(containerd is null ? "" : " for what containerd does not hold")}; tags are checked upstream after {ctx.Get(MirrorTtl)}");
        return (new RegistryUpstream(new RegistryClient(options), new RegistryClient(check)), containerd);
    }

    public static TimeSpan RevalidateTimeout => TimeSpan.FromSeconds(3);

    public static UpstreamPolicy Policy(CliContext ctx) => new() { TagTtl = ParseDuration(ctx.Get(MirrorTtl)!), RevalidateTimeout = RevalidateTimeout };

    /// <summary>A containerd that answers, or exit 2 at start-up: a server that cannot serve anything is a usage error.</summary>
    private static async Task<ContainerdStore> ConnectAsync(CliContext ctx, CancellationToken ct)
    {
        ContainerdStore store;
        try
        {
            store = ContainerdOptions.Connect(ctx);
        }
        catch (XpkgException e)
        {
            throw new InvalidInputException(e.Message, e.Hint);
        }

        try
        {
            await store.ListImagesAsync("name==xpkg-serve-probe", ct);
            return store;
        }
        catch (XpkgException e)
        {
            await store.DisposeAsync();
            throw new InvalidInputException(e.Message, e.Hint);
        }
    }

    private static TimeSpan ParseDuration(string text)
    {
        var parts = DurationPart().Matches(text);
        if (text.Length == 0 || parts.Sum(p => p.Length) != text.Length)
        {
            throw new InvalidInputException($"--mirror-ttl \"{text}\" is not a duration", "write it like 30s, 5m or 1h30m");
        }

        return TimeSpan.FromSeconds(parts.Sum(p => double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture)
            * p.Groups[2].Value switch { "h" => 3600, "m" => 60, "ms" => 0.001, _ => 1 }));
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)(ms|h|m|s)")]
    private static partial Regex DurationPart();
}
