using System.CommandLine;
using Wharf.Core.Services.Maintenance;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf check [--sample N|P%] [--repair] [--parallel N]</c>: verifies the configured stores (filesystem or S3; SQLite
/// or PostgreSQL) while the registry serves. Exit code 0 when all is well, 1 when something is wrong, 2 on a bad configuration.
/// </summary>
public static class CheckCommand
{
    public const int ProblemsFound = 1;

    public static Command Create()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var sample = new Option<string?>("--sample") { Description = "Verify only this many randomly chosen blobs (e.g. 500), or this share of them (e.g. 10%)" };
        var repair = new Option<bool>("--repair") { Description = "Move corrupt blobs (wrong size or digest) to quarantine/, so that pulls answer BLOB_UNKNOWN until the blob is pushed again" };
        var parallel = new Option<int>("--parallel") { Description = "Blobs verified at once (default 4)", DefaultValueFactory = _ => 4 };
        var command = new Command("check", "Verify that every blob is stored whole (size and digest) and that every manifest and tag reference resolves")
        {
            sample, repair, parallel, data, config,
        };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            SampleSize? size = null;
            if (parse.GetValue(sample) is { } text && !SampleSize.TryParse(text, out size))
            {
                return Usage($"--sample takes a count (500) or a percentage (10%), not '{text}'");
            }

            if (parse.GetValue(parallel) is < 1 or > 64)
            {
                return Usage("--parallel takes 1 to 64");
            }

            await using var stores = await ConfiguredStores.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var check = new StoreCheck(stores.Storage, stores.Inventory, stores.Blobs, Random.Shared);
            var display = new CheckProgressDisplay(Console.Out, new ConsoleProgress(TimeProvider.System), TimeProvider.System);
            var report = await check.RunAsync(new CheckSettings(size, parse.GetValue(repair), parse.GetValue(parallel)), display, ct);
            Print(report);
            return report.IsClean ? 0 : ProblemsFound;
        }));
        return command;
    }

    /// <summary>A bad option value: exit code 2, like a bad configuration, so that 1 always means "problems found".</summary>
    private static int Usage(string message)
    {
        Console.Error.WriteLine("error: " + message);
        return ConfigErrors.ExitCode;
    }

    private static void Print(CheckReport report)
    {
        var c = report.Counts;
        Console.WriteLine($"checked {c.Repositories} repositories: {c.Manifests} manifests ({c.References} references), {c.Tags} tags, {c.Links} blob links");
        Console.WriteLine(report.Sampled
            ? $"verified a random sample of {report.BlobsChecked} of {c.Blobs} blobs ({CheckProgressDisplay.Bytes(report.BytesChecked)}): size and digest"
            : $"verified {report.BlobsChecked} blobs ({CheckProgressDisplay.Bytes(report.BytesChecked)}): size and digest");
        if (report.IsClean)
        {
            Console.WriteLine("no problems found");
            return;
        }

        Console.WriteLine($"{report.Problems.Count} problem(s) found" + (report.Quarantined > 0 ? $"; {report.Quarantined} corrupt blob(s) quarantined" : ""));
    }
}
