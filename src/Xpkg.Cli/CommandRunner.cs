using System.CommandLine;
using Xpkg.Oci;

namespace Xpkg.Cli;

/// <summary>Runs a command body and turns failures into one <c>error:</c> line, a <c>hint:</c> and an exit status.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(ParseResult parse, Func<CliContext, Task<int>> body, CancellationToken cancellationToken)
    {
        var ctx = new CliContext(parse);
        try
        {
            return await body(ctx).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine("error: interrupted");
            return 130;
        }
        catch (XpkgException e)
        {
            return Report(ctx, e, e.Message, e.Hint, e.ExitCode);
        }
        catch (UnauthorizedAccessException e)
        {
            return Report(ctx, e, e.Message, "check the permissions of the cache directory, or choose another with --cache-dir", ExitCodes.Failure);
        }
        catch (IOException e)
        {
            return Report(ctx, e, e.Message, null, ExitCodes.Failure);
        }
    }

    public static int Report(CliContext? ctx, Exception e, string message, string? hint, int exitCode)
    {
        Console.Error.WriteLine("error: " + message);
        if (hint is not null)
        {
            Console.Error.WriteLine("hint: " + hint);
        }

        if (ctx?.Verbose == true)
        {
            Console.Error.WriteLine(e.ToString());
        }

        return exitCode;
    }
}
