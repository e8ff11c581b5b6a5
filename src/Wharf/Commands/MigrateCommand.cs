using System.CommandLine;
using Wharf.Hosting;

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
            var configuration = WharfConfiguration.Build(parse.GetValue(config), new Dictionary<string, string?> { ["Data"] = parse.GetValue(data) });
            await using var app = WharfHost.Build(configuration);
            foreach (var task in app.Services.GetServices<StartupTask>().Where(t => t.Name == "migrations"))
            {
                await task.RunAsync(app.Services, cancellationToken);
            }

            Console.WriteLine("metadata schema is up to date");
            return 0;
        }));
        return command;
    }
}
