using System.CommandLine;
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
// On SIGTERM System.CommandLine cancels the token, then exits with 143 if the command has not finished
// within this time: long enough for `serve` to finish uploads in flight (its shutdown timeout is 30 s).
return await parse.InvokeAsync(
    new InvocationConfiguration { EnableDefaultExceptionHandler = true, ProcessTerminationTimeout = TimeSpan.FromSeconds(40) },
    cancel.Token);
