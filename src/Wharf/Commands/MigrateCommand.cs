using System.CommandLine;

namespace Wharf.Commands;

/// <summary><c>wharf migrate [--config FILE]</c>: brings the metadata schema up to date, then exits.</summary>
public static class MigrateCommand
{
    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Data directory (default ./data)" };
        var config = new Option<string?>("--config") { Description = "Config file, YAML or JSON" };
        var command = new Command("migrate", "Apply pending metadata migrations (safe to run from several instances at once)") { data, config };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            Console.WriteLine("metadata schema is up to date");
            return 0;
        }));
        return command;
    }
}
