using System.CommandLine;
using System.Runtime.InteropServices;
using Xpkg.Cli;
using Xpkg.Cli.Commands;

var root = new RootCommand("xpkg: Crossplane packages from your own cache");
foreach (var option in GlobalOptions.All.Concat(ContainerdOptions.All))
{
    root.Options.Add(option);
}

Command[] commands =
[
    LoadCommand.Create(), SaveCommand.Create(), ImagesCommand.Create(), RmiCommand.Create(), InspectCommand.Create(), CacheCommand.Create(),
    PullCommand.Create(), PushCommand.Create(), CopyCommand.Create(), TagsCommand.Create(), BuildCommand.Create(), PackageCommand.Create(),
    ContainerdCommand.Create(), ServeCommand.Create(), RegistryConfigCommand.Create(), InstallCommand.Create(), BundleCommand.Create(), QuickstartCommand.Create(),
];
foreach (var command in commands)
{
    root.Subcommands.Add(command);
}


var parse = root.Parse(args);
if (parse.Errors.Count > 0)
{
    Console.Error.WriteLine("error: " + parse.Errors[0].Message);
    Console.Error.WriteLine("hint: run xpkg --help for usage");
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
// SIGTERM cancels the command as Ctrl+C does, and the command's own exit status stands. System.CommandLine's
// handler is off: it answered 143 instead of the status when a command finished while it was handling the
// signal, which cut `serve`'s graceful shutdown (exit 0 after finishing uploads in flight) short.
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
{
    context.Cancel = true;
    cancel.Cancel();
});
return await parse.InvokeAsync(
    new InvocationConfiguration { EnableDefaultExceptionHandler = true, ProcessTerminationTimeout = null },
    cancel.Token);
