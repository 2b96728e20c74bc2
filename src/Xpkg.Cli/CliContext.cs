using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xpkg.Store;

namespace Xpkg.Cli;

/// <summary>What a command needs from the command line: the cache, the output mode, the writers.</summary>
internal sealed class CliContext(ParseResult parse)
{
    private ContentStore? _store;

    public bool Json => parse.GetValue(GlobalOptions.Output) == "json";

    public bool Verbose => parse.GetValue(GlobalOptions.Verbose);

    public bool Offline => parse.GetValue(GlobalOptions.Offline);

    public ParseResult Parse => parse;

    public string CacheDirectory => parse.GetValue(GlobalOptions.CacheDir) is { Length: > 0 } dir ? dir : DefaultCacheDirectory();

    public ContentStore Store => _store ??= ContentStore.Open(CacheDirectory);

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

    private static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        string baseDir = !string.IsNullOrEmpty(xdg) ? xdg : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(baseDir, "xpkg");
    }
}
