using System.CommandLine;
using System.Globalization;
using Wharf.Import;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf import --from-distribution DIR</c>: brings the repositories, manifests (byte-exact), tags and blobs of a
/// Distribution (registry:2) filesystem storage directory into the configured store (same <c>--data</c>/<c>--config</c>
/// as <c>serve</c>). Blob files are hard-linked into the filesystem store when they share a file system, else copied.
/// Safe to run again, and to rerun after a kill: finished work is skipped. Exit code 0 when everything that Distribution
/// serves came over, 1 when something could not (listed), 2 on a bad configuration or directory.
/// </summary>
public static class ImportCommand
{
    public const int Incomplete = 1;

    public static Command Create()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var from = new Option<string>("--from-distribution")
        {
            Description = "Distribution's storage root directory (its rootdirectory, e.g. the registry:2 volume; holds docker/registry/v2)",
            Required = true,
            HelpName = "DIR",
        };
        var command = new Command("import", "Import the repositories, manifests, tags and blobs of a registry:2 (Distribution) storage directory")
        {
            from, data, config,
        };
        command.SetAction((parse, ct) => ConfigErrors.ReportAsync(async () =>
        {
            var directory = Path.GetFullPath(parse.GetValue(from)!);
            if (DistributionTree.Find(directory) is not { } tree)
            {
                Console.Error.WriteLine($"wharf import: {directory} is not a Distribution storage directory (no docker/registry/v2 with blobs/ or repositories/)");
                return ConfigErrors.ExitCode;
            }

            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), ct);
            var importer = DistributionImporter.From(services);
            Console.WriteLine($"importing from {tree.Root}");
            var console = new ConsoleProgress(TimeProvider.System);
            ImportReport report;
            try
            {
                report = await importer.RunAsync(tree, (done, total, repository) => console.Report($"steps ({repository})", done, total), ct);
            }
            catch (UnauthorizedAccessException e)
            {
                console.Done();
                Console.Error.WriteLine($"wharf import: cannot read {tree.Root} ({e.Message}); run it as a user who may read the whole directory, then again (finished work is kept)");
                return ConfigErrors.ExitCode;
            }

            console.Done();
            Print(report);
            return report.Problems == 0 ? 0 : Incomplete;
        }));
        return command;
    }

    private static void Print(ImportReport report)
    {
        var invariant = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(invariant, $"repositories: {report.Repositories}"));
        Console.WriteLine(string.Create(invariant, $"blobs: {report.BlobsLinked + report.BlobsCopied} placed ({report.BlobsLinked} hard-linked, {report.BlobsCopied} copied, {CheckProgressDisplay.Bytes(report.BytesPlaced)}, digests verified), {report.BlobsPresent} already present; {report.LinksAdded} repository links added"));
        Console.WriteLine(string.Create(invariant, $"manifests: {report.ManifestsStored} stored, {report.ManifestsPresent} already present"));
        Console.WriteLine(string.Create(invariant, $"tags: {report.TagsSet} set, {report.TagsPresent} already present"));
        foreach (var skip in report.Skipped)
        {
            Console.WriteLine($"skipped{(skip.Problem ? " (problem)" : "")}: {skip.What}: {skip.Reason}");
        }

        if (report.Problems > 0)
        {
            Console.WriteLine(string.Create(invariant, $"import INCOMPLETE: {report.Problems} problem(s) above; everything else is imported (run again after fixing them)"));
            return;
        }

        Console.WriteLine(report.NothingNew ? "import complete: nothing new" : "import complete");
    }
}
