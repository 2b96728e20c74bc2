using System.Text.RegularExpressions;
using Xpkg.Oci;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Packages.Parsing;

/// <summary>
/// Typed reads from a YAML tree with Kubernetes' decoding rules: YAML is turned into JSON with YAML 1.1
/// scalar resolution and then decoded into Go structs, so an unquoted <c>1.0</c>, <c>true</c> or <c>on</c>
/// where a string is expected is an error there, and here too. Unknown fields are ignored.
/// </summary>
internal static partial class YamlFields
{
    public static YamlNode? Get(YamlMappingNode map, string key)
        => map.Children.TryGetValue(new YamlScalarNode(key), out var node) && !IsNull(node) ? node : null;

    public static YamlMappingNode? GetMapping(YamlMappingNode map, string key, string path)
        => Get(map, key) switch
        {
            null => null,
            YamlMappingNode m => m,
            var other => throw TypeError(path, "a mapping", other),
        };

    public static YamlSequenceNode? GetSequence(YamlMappingNode map, string key, string path)
        => Get(map, key) switch
        {
            null => null,
            YamlSequenceNode s => s,
            var other => throw TypeError(path, "a list", other),
        };

    public static string? GetString(YamlMappingNode map, string key, string path)
        => Get(map, key) is { } node ? AsString(node, path) : null;

    public static string AsString(YamlNode node, string path)
    {
        if (node is YamlScalarNode scalar && (scalar.Style != ScalarStyle.Plain || ResolvePlain(scalar.Value ?? "") == "string"))
        {
            return scalar.Value ?? "";
        }

        throw TypeError(path, "a string", node);
    }

    public static IReadOnlyDictionary<string, string> GetStringMap(YamlMappingNode map, string key, string path)
    {
        var node = GetMapping(map, key, path);
        if (node is null)
        {
            return new Dictionary<string, string>();
        }

        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in node.Children)
        {
            string name = AsString(k, path);
            result[name] = IsNull(v) ? "" : AsString(v, path + "." + name);
        }

        return result;
    }

    public static IReadOnlyList<string> GetStringList(YamlMappingNode map, string key, string path)
    {
        var node = GetSequence(map, key, path);
        return node is null ? [] : node.Children.Select((item, i) => AsString(item, $"{path}[{i}]")).ToList();
    }

    public static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: ScalarStyle.Plain } s && ResolvePlain(s.Value ?? "") == "null";

    /// <summary>What YAML 1.1 (go-yaml v2, used by Kubernetes) makes of an unquoted scalar.</summary>
    public static string ResolvePlain(string value)
    {
        if (value is "" or "~" or "null" or "Null" or "NULL")
        {
            return "null";
        }

        if (value is "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "true" or "True" or "TRUE"
            or "n" or "N" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "false" or "False" or "FALSE")
        {
            return "boolean";
        }

        return IntegerRegex().IsMatch(value) || FloatRegex().IsMatch(value) ? "number" : "string";
    }

    private static InvalidInputException TypeError(string path, string expected, YamlNode actual)
    {
        string got = actual switch
        {
            YamlMappingNode => "a mapping",
            YamlSequenceNode => "a list",
            YamlScalarNode s => ResolvePlain(s.Value ?? "") switch
            {
                "boolean" => $"the boolean {s.Value}",
                "number" => $"the number {s.Value}",
                _ => $"\"{s.Value}\"",
            },
            _ => "something else",
        };
        return new InvalidInputException($"{path}: expected {expected}, got {got}",
            expected == "a string" && actual is YamlScalarNode ? "quote the value, e.g. \"1.0\"" : null);
    }

    [GeneratedRegex(@"^[-+]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO]?[0-7_]*|[1-9][0-9_]*|0)\z", RegexOptions.CultureInvariant)]
    private static partial Regex IntegerRegex();

    [GeneratedRegex(@"^([-+]?(\.[0-9]+|[0-9][0-9_]*(\.[0-9_]*)?)([eE][-+]?[0-9]+)?|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))\z", RegexOptions.CultureInvariant)]
    private static partial Regex FloatRegex();
}
