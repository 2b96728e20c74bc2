namespace Xpkg.Packages;

/// <summary>Where a document came from: the file (or stream) name, its position in the stream and its first line.</summary>
public sealed record DocumentPosition(string Source, int Document, int Line)
{
    public override string ToString() => $"{Source}: document {Document} (line {Line})";
}
