using System.CommandLine;
using System.CommandLine.Invocation;
using Wharf.Release;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf version</c> and <c>wharf --version</c>: one line,
/// <c>wharf VERSION (commit SHA, built DATE, .NET RUNTIME)</c>.
/// </summary>
public static class VersionCommand
{
    public static Command Create()
    {
        var command = new Command("version", "Print Wharf's version, commit, build date and .NET runtime");
        command.SetAction(_ => Print());
        return command;
    }

    /// <summary>Makes the root's built-in <c>--version</c> print the same line as <c>wharf version</c>.</summary>
    public static void ReplaceVersionOption(RootCommand root)
    {
        foreach (var option in root.Options.OfType<VersionOption>())
        {
            option.Action = new PrintVersion();
        }
    }

    private static int Print()
    {
        Console.Out.WriteLine(BuildInfo.Current.Line);
        return 0;
    }

    private sealed class PrintVersion : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult) => Print();
    }
}
