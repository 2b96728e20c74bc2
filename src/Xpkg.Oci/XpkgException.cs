namespace Xpkg.Oci;

/// <summary>
/// A failure the CLI reports as one <c>error:</c> line (plus an optional <c>hint:</c>) instead of a stack trace.
/// </summary>
public class XpkgException : Exception
{
    public XpkgException(string message, string? hint = null, int exitCode = ExitCodes.Failure, Exception? inner = null)
        : base(message, inner)
    {
        Hint = hint;
        ExitCode = exitCode;
    }

    public string? Hint { get; }

    public int ExitCode { get; }
}

/// <summary>Bad usage or bad input: exit status 2.</summary>
public class InvalidInputException : XpkgException
{
    public InvalidInputException(string message, string? hint = null, Exception? inner = null)
        : base(message, hint, ExitCodes.BadInput, inner)
    {
    }
}

/// <summary>Content whose size or digest is not what its descriptor says.</summary>
public sealed class DigestMismatchException : InvalidInputException
{
    public DigestMismatchException(string message)
        : base(message)
    {
    }
}

public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
}
