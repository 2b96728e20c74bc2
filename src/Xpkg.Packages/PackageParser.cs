using System.Text;
using System.Text.RegularExpressions;
using Xpkg.Oci;
using Xpkg.Packages.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Packages;

/// <summary>
/// Decodes a package stream (<c>package.yaml</c>, or the files of a package root) as Crossplane does:
/// documents split like Kubernetes' YAML reader, empty and comment-only documents skipped, each document
/// decoded as a meta type or a known object type; an unknown kind is an error. Reading is bounded.
/// </summary>
public static partial class PackageParser
{
    /// <summary>Crossplane's <c>maxPackageSize</c>: 200 MiB of package stream.</summary>
    public const long MaxStreamBytes = 200L << 20;

    /// <summary>Parses a whole stream; <paramref name="sourceName"/> names it in error messages.</summary>
    public static async Task<ParsedPackage> ParseAsync(Stream stream, string sourceName, CancellationToken cancellationToken, long maxBytes = MaxStreamBytes)
    {
        var metas = new List<PackageMeta>();
        var objects = new List<PackageObject>();
        await foreach (var o in ReadObjectsAsync(stream, sourceName, cancellationToken, maxBytes).ConfigureAwait(false))
        {
            if (o is PackageMeta m)
            {
                metas.Add(m);
            }
            else
            {
                objects.Add(o);
            }
        }

        return new ParsedPackage(metas, objects);
    }

    /// <summary>Parses a package stream held in a string (small streams, tests).</summary>
    public static ParsedPackage Parse(string yaml, string sourceName)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(yaml));
        return ParseAsync(stream, sourceName, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>Decodes documents one at a time, for callers that stream objects onwards.</summary>
    public static async IAsyncEnumerable<PackageObject> ReadObjectsAsync(
        Stream stream,
        string sourceName,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken,
        long maxBytes = MaxStreamBytes)
    {
        var bounded = new BoundedReadStream(stream, maxBytes, sourceName, leaveOpen: true);
        using var text = new StreamReader(bounded, new UTF8Encoding(false, throwOnInvalidBytes: true), detectEncodingFromByteOrderMarks: true);
        var reader = new YamlDocumentReader(text, sourceName);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } doc)
        {
            if (!doc.IsEmpty)
            {
                yield return Decode(doc, sourceName);
            }
        }
    }

    private static PackageObject Decode(RawYamlDocument doc, string sourceName)
    {
        var position = new DocumentPosition(sourceName, doc.Index, doc.Line);
        var root = ReadHeader(doc) ?? Load(doc, position);
        try
        {
            string kind = YamlFields.GetString(root, "kind", "kind") is { Length: > 0 } k ? k : throw new InvalidInputException("Object 'Kind' is missing");
            string apiVersion = YamlFields.GetString(root, "apiVersion", "apiVersion") is { Length: > 0 } v ? v : throw new InvalidInputException("Object 'apiVersion' is missing");
            var metadata = YamlFields.GetMapping(root, "metadata", "metadata");
            string name = metadata is null ? "" : YamlFields.GetString(metadata, "name", "metadata.name") ?? "";
            string? ns = metadata is null ? null : YamlFields.GetString(metadata, "namespace", "metadata.namespace");
            var labels = metadata is null ? new Dictionary<string, string>() : YamlFields.GetStringMap(metadata, "labels", "metadata.labels");
            var annotations = metadata is null ? new Dictionary<string, string>() : YamlFields.GetStringMap(metadata, "annotations", "metadata.annotations");

            if (KnownKinds.MetaKind(apiVersion, kind) is { } packageKind)
            {
                var full = Load(doc, position);
                var spec = YamlFields.GetMapping(full, "spec", "spec");
                var crossplane = spec is null ? null : YamlFields.GetMapping(spec, "crossplane", "spec.crossplane");
                return new PackageMeta
                {
                    ApiVersion = apiVersion, Kind = kind, Name = name, Namespace = ns, Labels = labels, Annotations = annotations,
                    RawYaml = doc.Text, Root = full, Position = position, PackageKind = packageKind,
                    CrossplaneVersion = crossplane is null ? null : YamlFields.GetString(crossplane, "version", "spec.crossplane.version") ?? "",
                    DependsOn = spec is null ? [] : ReadDependencies(spec),
                    Capabilities = spec is null ? [] : YamlFields.GetStringList(spec, "capabilities", "spec.capabilities"),
                };
            }

            if (!KnownKinds.IsObject(apiVersion, kind))
            {
                throw new InvalidInputException(
                    $"no kind \"{kind}\" is registered for version \"{apiVersion}\"",
                    "a package holds one meta.pkg.crossplane.io object plus CRDs, XRDs, Compositions, MRDs, activation policies, operations or webhook configurations");
            }

            return new PackageObject
            {
                ApiVersion = apiVersion, Kind = kind, Name = name, Namespace = ns, Labels = labels, Annotations = annotations,
                RawYaml = doc.Text, LazyRoot = new Lazy<YamlMappingNode>(() => Load(doc, position)), Position = position,
            };
        }
        catch (InvalidInputException e) when (e is not DigestMismatchException && !e.Message.StartsWith(position.ToString(), StringComparison.Ordinal))
        {
            throw new InvalidInputException($"{position}: {e.Message}", e.Hint, e);
        }
    }

    private static List<PackageDependency> ReadDependencies(YamlMappingNode spec)
    {
        var list = YamlFields.GetSequence(spec, "dependsOn", "spec.dependsOn");
        if (list is null)
        {
            return [];
        }

        var result = new List<PackageDependency>(list.Children.Count);
        for (int i = 0; i < list.Children.Count; i++)
        {
            string path = $"spec.dependsOn[{i}]";
            if (list.Children[i] is not YamlMappingNode d)
            {
                throw new InvalidInputException($"{path}: expected a mapping");
            }

            result.Add(new PackageDependency
            {
                ApiVersion = YamlFields.GetString(d, "apiVersion", path + ".apiVersion"),
                Kind = YamlFields.GetString(d, "kind", path + ".kind"),
                Package = YamlFields.GetString(d, "package", path + ".package"),
                Provider = YamlFields.GetString(d, "provider", path + ".provider"),
                Configuration = YamlFields.GetString(d, "configuration", path + ".configuration"),
                Function = YamlFields.GetString(d, "function", path + ".function"),
                Version = YamlFields.GetString(d, "version", path + ".version") ?? "",
            });
        }

        return result;
    }

    // The fast path; any doubt (syntax errors included) falls back to the full load and its error messages.
    private static YamlMappingNode? ReadHeader(RawYamlDocument doc)
    {
        try
        {
            return YamlObjectHeader.Read(doc.Text);
        }
        catch (YamlException)
        {
            return null;
        }
    }

    private static YamlMappingNode Load(RawYamlDocument doc, DocumentPosition position)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(doc.Text));
        }
        catch (YamlException e)
        {
            long line = doc.Line + e.Start.Line - 1;
            throw new InvalidInputException($"{position}: invalid YAML at line {line}, column {e.Start.Column}: {StripMarks(e)}", inner: e);
        }

        // Like a YAML-to-JSON conversion, only the first document of the text counts.
        var root = stream.Documents.Count > 0 ? stream.Documents[0].RootNode : null;
        return root switch
        {
            YamlMappingNode m => m,
            null => throw new InvalidInputException($"{position}: Object 'Kind' is missing"),
            _ when YamlFields.IsNull(root) => throw new InvalidInputException($"{position}: Object 'Kind' is missing"),
            _ => throw new InvalidInputException($"{position}: expected a YAML mapping (a Kubernetes object), got {(root is YamlSequenceNode ? "a list" : "a scalar")}"),
        };
    }

    private static string StripMarks(YamlException e)
    {
        string message = e.InnerException is YamlException inner ? inner.Message : e.Message;
        return MarksRegex().Replace(message, "");
    }

    [GeneratedRegex(@"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ")]
    private static partial Regex MarksRegex();
}
