namespace Xpkg.Packages.Parsing;

/// <summary>One document of a YAML stream as the Kubernetes YAML reader cuts it.</summary>
/// <param name="Text">The document's lines, each ending in <c>\n</c>, without a leading <c>---</c> line.</param>
/// <param name="Index">1-based position of the document in the stream.</param>
/// <param name="Line">1-based line of the stream where <paramref name="Text"/> starts.</param>
internal sealed record RawYamlDocument(string Text, int Index, int Line)
{
    /// <summary>
    /// Crossplane's emptiness test: only blank lines, comments, <c>---</c> and <c>...</c>. Such documents
    /// are skipped rather than decoded.
    /// </summary>
    public bool IsEmpty
    {
        get
        {
            foreach (var line in Text.AsSpan().EnumerateLines())
            {
                var trimmed = line.TrimStart();
                if (!trimmed.IsEmpty && trimmed is not "---" and not "..." && trimmed[0] != '#')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
