using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Packages.Parsing;

/// <summary>
/// Reads only <c>apiVersion</c>, <c>kind</c> and <c>metadata</c> of a document with YamlDotNet's event parser,
/// skipping everything else without building nodes for it. CRDs are most of a package and mostly schema,
/// so this is what keeps parsing fast; the whole tree is loaded only when someone asks for it. The whole
/// document is still parsed, so syntax errors are not missed.
/// </summary>
internal static class YamlObjectHeader
{
    /// <summary>The reduced top-level mapping, or null when a full load is needed (not a mapping, complex keys, aliases into skipped parts).</summary>
    public static YamlMappingNode? Read(string text)
    {
        var parser = new Parser(new StringReader(text));
        parser.Consume<StreamStart>();
        if (!parser.TryConsume<DocumentStart>(out _) || !parser.TryConsume<MappingStart>(out _))
        {
            return null;
        }

        var root = new YamlMappingNode();
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            if (parser.Current is not Scalar key || !key.Anchor.IsEmpty)
            {
                return null;
            }

            parser.MoveNext();
            if (key.Value is "apiVersion" or "kind" or "metadata")
            {
                var value = ReadNode(parser, anchors);
                if (value is null || root.Children.ContainsKey(new YamlScalarNode(key.Value)))
                {
                    return null;
                }

                root.Add(new YamlScalarNode(key.Value) { Style = key.Style }, value);
            }
            else
            {
                parser.SkipThisAndNestedEvents();
            }
        }

        // Parse the rest too, so a broken second document in the text is reported as the full load would.
        while (parser.MoveNext())
        {
        }

        return root;
    }

    private static YamlNode? ReadNode(IParser parser, Dictionary<string, YamlNode> anchors)
    {
        YamlNode? node;
        AnchorName anchor;
        switch (parser.Current)
        {
            case Scalar s:
                node = new YamlScalarNode(s.Value) { Style = s.Style };
                anchor = s.Anchor;
                parser.MoveNext();
                break;
            case SequenceStart start:
                var sequence = new YamlSequenceNode();
                anchor = start.Anchor;
                parser.MoveNext();
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    var item = ReadNode(parser, anchors);
                    if (item is null)
                    {
                        return null;
                    }

                    sequence.Add(item);
                }

                node = sequence;
                break;
            case MappingStart start:
                var mapping = new YamlMappingNode();
                anchor = start.Anchor;
                parser.MoveNext();
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    var key = ReadNode(parser, anchors);
                    var value = key is null ? null : ReadNode(parser, anchors);
                    if (value is null || mapping.Children.ContainsKey(key!))
                    {
                        return null;
                    }

                    mapping.Add(key!, value);
                }

                node = mapping;
                break;
            case AnchorAlias alias:
                parser.MoveNext();
                return anchors.GetValueOrDefault(alias.Value.Value);
            default:
                return null;
        }

        if (!anchor.IsEmpty)
        {
            anchors[anchor.Value] = node;
        }

        return node;
    }
}
