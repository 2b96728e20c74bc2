namespace Xpkg.Oci.Content;

/// <summary>A blob a source does not have; the copy engine may skip it where content is allowed to be sparse.</summary>
public sealed class ContentNotFoundException(Digest digest, string where)
    : XpkgException($"{where} has no content {digest}")
{
    public Digest Digest { get; } = digest;
}
