using System.Globalization;
using Xpkg.Packages.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using YamlDotNet.Serialization;

namespace Xpkg.Install.State;

/// <summary>
/// The shape every document of the state directory is built in: ordered string-keyed maps, lists and typed
/// scalars, written by one YamlDotNet serializer so output is deterministic (insertion order, no aliases,
/// strings quoted only where YAML would read them as something else).
/// </summary>
internal static class YamlTree
{
    private static readonly ISerializer Serializer = new SerializerBuilder()
        .DisableAliases()
        .WithIndentedSequences()
        .WithQuotingNecessaryStrings()
        .Build();

    public static string Serialize(object document) => Serializer.Serialize(document);

    /// <summary>Several documents, each introduced by <c>---</c>.</summary>
    public static string SerializeAll(IEnumerable<object> documents)
        => string.Concat(documents.Select(d => "---\n" + Serialize(d)));

    /// <summary>A YAML node as a tree, with plain scalars typed the way Kubernetes reads them (YAML 1.1).</summary>
    public static object? ToObject(YamlNode node) => node switch
    {
        YamlMappingNode m => m.Children.ToDictionary(
            kv => kv.Key is YamlScalarNode s ? s.Value ?? "" : kv.Key.ToString(),
            kv => ToObject(kv.Value),
            StringComparer.Ordinal),
        YamlSequenceNode s => s.Children.Select(ToObject).ToList(),
        YamlScalarNode { Style: ScalarStyle.Plain } s => Typed(s.Value ?? ""),
        YamlScalarNode s => s.Value ?? "",
        _ => null,
    };

    public static Dictionary<string, object?> ToMap(YamlMappingNode node) => (Dictionary<string, object?>)ToObject(node)!;

    /// <summary>Parses one YAML document into a tree, or null when it is not a mapping.</summary>
    public static Dictionary<string, object?>? Parse(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return stream.Documents.Count > 0 && stream.Documents[0].RootNode is YamlMappingNode m ? ToMap(m) : null;
    }

    /// <summary>
    /// Lays <paramref name="overlay"/> over <paramref name="target"/>: maps merge key by key, lists of named
    /// items (containers, env, ports, volumes) merge by name, anything else in the overlay replaces.
    /// </summary>
    public static void Merge(Dictionary<string, object?> target, Dictionary<string, object?> overlay)
    {
        foreach (var (key, value) in overlay)
        {
            if (value is Dictionary<string, object?> o && target.TryGetValue(key, out var t) && t is Dictionary<string, object?> tm)
            {
                Merge(tm, o);
            }
            else if (value is List<object?> ol && target.TryGetValue(key, out var tl) && tl is List<object?> tlist && IsNamedList(ol) && IsNamedList(tlist))
            {
                MergeNamed(tlist, ol);
            }
            else
            {
                target[key] = value;
            }
        }
    }

    public static Dictionary<string, object?> Map(string key, object? value) => new(StringComparer.Ordinal) { [key] = value };

    private static void MergeNamed(List<object?> target, List<object?> overlay)
    {
        foreach (var item in overlay.Cast<Dictionary<string, object?>>())
        {
            var existing = target.Cast<Dictionary<string, object?>>().FirstOrDefault(t => Equals(t["name"], item["name"]));
            if (existing is null)
            {
                target.Add(item);
            }
            else
            {
                Merge(existing, item);
            }
        }
    }

    private static bool IsNamedList(List<object?> list)
        => list.Count > 0 && list.All(i => i is Dictionary<string, object?> d && d.TryGetValue("name", out var n) && n is string);

    private static object? Typed(string value) => YamlFields.ResolvePlain(value) switch
    {
        "null" => null,
        "boolean" => value is "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "true" or "True" or "TRUE",
        "number" when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l) => l,
        "number" when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => value,
    };
}
