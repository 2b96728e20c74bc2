using Xpkg.Oci;
using Xpkg.Packages.Parsing;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Xpkg.Packages.Building;

/// <summary>
/// Checks example files the way Crossplane's examples parser does: every non-empty document must decode
/// as a Kubernetes object of any kind (a mapping with <c>apiVersion</c> and <c>kind</c>).
/// </summary>
internal static class ExamplesValidator
{
    public static async Task ValidateAsync(string path, string sourceName, CancellationToken cancellationToken)
    {
        using var text = new StreamReader(path);
        var reader = new YamlDocumentReader(text, sourceName);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false) is { } doc)
        {
            if (doc.IsEmpty)
            {
                continue;
            }

            var position = new DocumentPosition(sourceName, doc.Index, doc.Line);
            var stream = new YamlStream();
            try
            {
                stream.Load(new StringReader(doc.Text));
            }
            catch (YamlException e)
            {
                throw new InvalidInputException($"failed to parse examples: {position}: invalid YAML at line {doc.Line + e.Start.Line - 1}: {e.Message}", inner: e);
            }

            if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root
                || YamlFields.Get(root, "kind") is null || YamlFields.Get(root, "apiVersion") is null)
            {
                throw new InvalidInputException($"failed to parse examples: {position}: not a Kubernetes object (apiVersion and kind are required)");
            }
        }
    }
}
