using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xpkg.Registry;
using Xpkg.Registry.Hosts;
using Xpkg.Store;

namespace Xpkg.Cli;

/// <summary>What a command needs from the command line: the cache, the output mode, the writers.</summary>
internal sealed class CliContext(ParseResult parse)
{
    private ContentStore? _store;
    private ContentStore? _reading;
    private ExplainLog? _explain;

    public bool Json => parse.GetValue(GlobalOptions.Output) == "json";

    public bool Verbose => parse.GetValue(GlobalOptions.Verbose);

    public bool Offline => parse.GetValue(GlobalOptions.Offline);

    public ParseResult Parse => parse;

    public string CacheDirectory => parse.GetValue(GlobalOptions.CacheDir) is { Length: > 0 } dir ? dir : DefaultCacheDirectory();

    public ContentStore Store => _store ??= ContentStore.Open(CacheDirectory);

    /// <summary>
    /// The cache for what only reads it (images, inspect, a pull the cache answers): a cache that does not exist
    /// yet is not created, and reads as empty. <see cref="Store"/> is for writing.
    /// </summary>
    public ContentStore StoreForReading => _store ?? (_reading ??= ContentStore.OpenForReading(CacheDirectory));

    /// <summary>The decision trace; printed to stderr as it happens when <c>--explain</c> is given.</summary>
    public ExplainLog Explain => _explain ??= NewExplainLog();

    /// <summary>A registry client configured from the global options; creating it opens no connection.</summary>
    public RegistryClient NewRegistryClient() => new(RegistryOptions(Explain));

    /// <summary>The registry client settings of the global options (hosts, CA, insecure registries, offline), logging to <paramref name="log"/>.</summary>
    public RegistryClientOptions RegistryOptions(ExplainLog log) => new()
    {
        Hosts = GlobalOptions.HostOptions(parse),
        Log = log,
        Offline = Offline,

        // The cache and other targets verify every blob they write; hashing once is enough.
        VerifyBlobs = false,
    };

    public T? Get<T>(Option<T> option) => parse.GetValue(option);

    public T? Get<T>(Argument<T> argument) => parse.GetValue(argument);

    /// <summary>Text for people: stdout normally, stderr when stdout carries JSON.</summary>
    public void Say(string line)
    {
        if (Json)
        {
            Console.Error.WriteLine(line);
        }
        else
        {
            Console.Out.WriteLine(line);
        }
    }

    /// <summary>A remark for people that never mixes with machine output.</summary>
    public static void Note(string line) => Console.Error.WriteLine(line);

    public static void WriteJson(JsonNode? node)
    {
        Console.Out.WriteLine(node?.ToJsonString(JsonOutputOptions) ?? "null");
    }

    private static readonly JsonSerializerOptions JsonOutputOptions = new()
    {
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private ExplainLog NewExplainLog()
    {
        var log = new ExplainLog();
        if (parse.GetResult(CommonOptions.Explain) is not null && parse.GetValue(CommonOptions.Explain))
        {
            log.OnEvent = e => Console.Error.WriteLine($"explain: {e.Topic}: {e.Message}");
        }

        return log;
    }

    private static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "xpkg");
    }
}
