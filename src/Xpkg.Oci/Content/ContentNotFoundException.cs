namespace Xpkg.Oci.Content;

/// <summary>A blob a source does not have; the copy engine may skip it where content is allowed to be sparse.</summary>
public sealed class ContentNotFoundException(Digest digest, string where, int exitCode = ExitCodes.Failure)
    : XpkgException($"{where} has no content {digest}", exitCode: exitCode)
{
    public Digest Digest { get; } = digest;
}
