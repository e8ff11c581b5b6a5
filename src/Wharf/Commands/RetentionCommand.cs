using System.CommandLine;
using System.Globalization;
using Wharf.Core.Policies;

namespace Wharf.Commands;

/// <summary><c>wharf retention run [--dry-run]</c>: applies the <c>Retention:Rules</c> to the configured store once, printing each tag it selects.</summary>
public static class RetentionCommand
{
    public static Command Create() => new("retention", "Tag retention rules (Retention:Rules)") { Run() };

    private static Command Run()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var dryRun = new Option<bool>("--dry-run") { Description = "Only list the tags that would be deleted" };
        var command = new Command("run", "Delete the tags the retention rules select (garbage collection then reclaims their manifests and blobs)") { dryRun, data, config };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var retention = services.GetRequiredService<RetentionService>();
            if (retention.Rules.Count == 0)
            {
                Console.WriteLine("no retention rules are configured (Retention:Rules)");
                return 0;
            }

            var report = await retention.RunAsync(parse.GetValue(dryRun), ct);
            foreach (var tag in report.Tags)
            {
                var verb = report.DryRun ? "would delete" : tag.Deleted ? "deleted" : "kept (pushed again meanwhile)";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{verb} {tag.Repository}:{tag.Tag} {tag.Digest} pushed {tag.PushedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ} ({tag.Rule})"));
            }

            var count = report.DryRun ? report.Tags.Count : report.Tags.Count(t => t.Deleted);
            Console.WriteLine(report.DryRun ? $"{count} tags would be deleted" : $"{count} tags deleted");
            return 0;
        }));
        return command;
    }
}
