using Xpkg.Oci;
using Xpkg.Packages.Parsing;
using Xpkg.Transfer;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Install.Input;

/// <summary>
/// Typed, strict reads from one mapping of a manifest: every key must be read by the caller, so a
/// misspelt field (<c>packagePullPolicyy</c>) is an error instead of a silently ignored setting, as with
/// <c>kubectl apply --validate=strict</c>.
/// </summary>
internal sealed class FieldReader
{
    private readonly YamlMappingNode _map;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public FieldReader(YamlMappingNode map, string path)
    {
        _map = map;
        Path = path;
    }

    public string Path { get; }

    public YamlMappingNode Node => _map;

    public string? String(string key) => Take(key) is { } node ? YamlFields.AsString(node, Sub(key)) : null;

    public string RequiredString(string key)
        => String(key) is { Length: > 0 } s ? s : throw new InvalidInputException($"{Sub(key)}: required");

    public bool? Bool(string key)
    {
        if (Take(key) is not { } node)
        {
            return null;
        }

        if (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s && YamlFields.ResolvePlain(s.Value ?? "") == "boolean")
        {
            return s.Value is "y" or "Y" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "true" or "True" or "TRUE";
        }

        throw new InvalidInputException($"{Sub(key)}: expected true or false, got {Describe(node)}");
    }

    public long? Integer(string key)
    {
        if (Take(key) is not { } node)
        {
            return null;
        }

        if (node is YamlScalarNode { Style: YamlDotNet.Core.ScalarStyle.Plain } s
            && long.TryParse(s.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out long v))
        {
            return v;
        }

        throw new InvalidInputException($"{Sub(key)}: expected an integer, got {Describe(node)}");
    }

    public TEnum? Enum<TEnum>(string key)
        where TEnum : struct, System.Enum
    {
        if (String(key) is not { } text)
        {
            return null;
        }

        // Exact names only: Enum.TryParse would also take numbers and comma-joined names.
        return System.Enum.GetNames<TEnum>().Contains(text, StringComparer.Ordinal)
            ? System.Enum.Parse<TEnum>(text)
            : throw new InvalidInputException($"{Sub(key)}: \"{text}\" is not one of {string.Join(", ", System.Enum.GetNames<TEnum>())}");
    }

    public FieldReader? Mapping(string key)
        => Take(key) switch
        {
            null => null,
            YamlMappingNode m => new FieldReader(m, Sub(key)),
            var other => throw new InvalidInputException($"{Sub(key)}: expected a mapping, got {Describe(other)}"),
        };

    public IReadOnlyList<FieldReader> MappingList(string key)
    {
        if (Take(key) is not { } node)
        {
            return [];
        }

        if (node is not YamlSequenceNode list)
        {
            throw new InvalidInputException($"{Sub(key)}: expected a list, got {Describe(node)}");
        }

        return list.Children.Select((item, i) => item is YamlMappingNode m
            ? new FieldReader(m, $"{Sub(key)}[{i}]")
            : throw new InvalidInputException($"{Sub(key)}[{i}]: expected a mapping, got {Describe(item)}")).ToList();
    }

    public IReadOnlyDictionary<string, string> StringMap(string key)
    {
        var map = Mapping(key);
        if (map is null)
        {
            return new Dictionary<string, string>();
        }

        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v) in map._map.Children)
        {
            string name = YamlFields.AsString(k, map.Path);
            result[name] = YamlFields.IsNull(v) ? "" : YamlFields.AsString(v, map.Path + "." + name);
        }

        return result;
    }

    /// <summary>Marks a key as known without interpreting it (a field passed through as written).</summary>
    public YamlNode? Raw(string key) => Take(key);

    /// <summary>Fails on the first key the caller did not read.</summary>
    public void RejectUnknown()
    {
        foreach (var (k, _) in _map.Children)
        {
            string name = k is YamlScalarNode s ? s.Value ?? "" : k.ToString();
            if (!_read.Contains(name))
            {
                throw new InvalidInputException($"{Sub(name)}: unknown field",
                    $"the fields read at {Path} are {string.Join(", ", _read.Order(StringComparer.Ordinal))}; check the spelling");
            }
        }
    }

    private YamlNode? Take(string key)
    {
        _read.Add(key);
        return YamlFields.Get(_map, key);
    }

    private string Sub(string key) => Path.Length == 0 ? key : Path + "." + key;

    private static string Describe(YamlNode node) => node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"\"{s.Value}\"",
        _ => "something else",
    };
}
