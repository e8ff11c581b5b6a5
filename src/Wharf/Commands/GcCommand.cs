using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Wharf.Core.Services.Gc;
using Wharf.Hosting;
using Wharf.Http.Api;

namespace Wharf.Commands;

/// <summary>
/// <c>wharf gc status</c>: the online collector's queues and totals. <c>wharf gc --dry-run | --run</c>: the offline
/// mark and sweep, for a store restored from a backup or imported (docs/design/gc.md); not while a server writes to it.
/// </summary>
public static class GcCommand
{
    public static Command Create()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var dryRun = new Option<bool>("--dry-run") { Description = "List what an offline mark and sweep would delete, and how much it would reclaim" };
        var run = new Option<bool>("--run") { Description = "Delete it (stop every server writing to this store first)" };
        var untagged = new Option<bool?>("--delete-untagged") { Description = "Also delete untagged manifests that nothing needs (default: Gc:UntaggedManifests:Policy)" };
        var verbose = new Option<bool>("--verbose") { Description = "List every item, not only the totals" };
        var command = new Command("gc", "Garbage collection: status of the online collector, or an offline mark and sweep")
        {
            dryRun, run, untagged, verbose, data, config, Status(),
        };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            if (parse.GetValue(dryRun) == parse.GetValue(run))
            {
                Console.Error.WriteLine("wharf gc: give exactly one of --dry-run and --run (or the subcommand status)");
                return 2;
            }

            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var offline = services.GetRequiredService<OfflineCollector>();
            var console = new ConsoleProgress(TimeProvider.System);
            var progress = new ConsoleGcProgress(console);
            if (parse.GetValue(dryRun))
            {
                var plan = await offline.PlanAsync(parse.GetValue(untagged), progress, cancellationToken);
                console.Done();
                PrintPlan(plan, parse.GetValue(verbose));
                return 0;
            }

            var result = await offline.RunAsync(parse.GetValue(untagged), progress, cancellationToken);
            console.Done();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"deleted {result.ManifestsDeleted} manifests, {result.LinksDeleted} blob links, {result.BlobsDeleted} blobs ({Bytes(result.BytesReclaimed)}), {result.OrphansDeleted} storage leftovers"));
            return 0;
        }));
        return command;
    }

    private static Command Status()
    {
        var (data, config) = (AccountOptions.Data(), AccountOptions.Config());
        var json = new Option<bool>("--json") { Description = "The same JSON as GET /api/gc" };
        var command = new Command("status", "Queue depths, what is due, and what the online collector has reclaimed") { json, data, config };
        command.SetAction((parse, cancellationToken) => ConfigErrors.ReportAsync(async () =>
        {
            await using var services = await RegistryServices.OpenAsync(parse.GetValue(config), parse.GetValue(data), cancellationToken);
            var status = await services.GetRequiredService<GcStatusReader>().ReadAsync(cancellationToken);
            if (parse.GetValue(json))
            {
                using var stdout = Console.OpenStandardOutput();
                await using var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true });
                GcStatusJson.Write(writer, status);
                await writer.FlushAsync(cancellationToken);
                Console.WriteLine();
                return 0;
            }

            var invariant = CultureInfo.InvariantCulture;
            Console.WriteLine(string.Create(invariant, $"online collector: {(status.Enabled ? "enabled" : "disabled")}, grace period {status.GracePeriod}, untagged manifests: {(status.UntaggedManifests == UntaggedManifestPolicy.Delete ? $"delete after {status.UntaggedManifestsAfter}" : "keep")}"));
            Console.WriteLine(string.Create(invariant, $"queued:    {status.Queued.Manifests} manifests, {status.Queued.Links} blob links, {status.Queued.Blobs} blobs"));
            Console.WriteLine(string.Create(invariant, $"due now:   {status.Due.Manifests} manifests, {status.Due.Links} blob links, {status.Due.Blobs} blobs"));
            Console.WriteLine(string.Create(invariant, $"reclaimed: {status.Totals.ManifestsDeleted} manifests, {status.Totals.LinksDeleted} blob links, {status.Totals.BlobsDeleted} blobs ({Bytes(status.Totals.BytesReclaimed)})"));
            Console.WriteLine(status.Totals.LastCycleAt is { } last ? string.Create(invariant, $"last run:  {last.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}") : "last run:  never");
            return 0;
        }));
        return command;
    }

    private static void PrintPlan(GcPlan plan, bool verbose)
    {
        if (verbose)
        {
            foreach (var manifest in plan.Manifests)
            {
                Console.WriteLine($"manifest {manifest.Repository}@{manifest.Digest}");
            }

            foreach (var link in plan.Links)
            {
                Console.WriteLine($"link     {link.Repository} -> {link.Digest}");
            }

            foreach (var blob in plan.Blobs)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"blob     {blob.Digest} ({blob.Size} bytes)"));
            }

            foreach (var path in plan.StorageOrphans)
            {
                Console.WriteLine($"object   {path}");
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"would delete {plan.Manifests.Count} manifests, {plan.Links.Count} blob links, {plan.Blobs.Count} blobs ({Bytes(plan.BlobBytes)}), {plan.StorageOrphans.Count} storage objects no row names"));
    }

    private static string Bytes(long bytes) => Wharf.Core.Policies.PolicyText.FormatSize(bytes);

    /// <summary>The offline collector's progress on the console: a bar where the total is known, a status line otherwise.</summary>
    private sealed class ConsoleGcProgress(ConsoleProgress console) : IProgress<GcProgress>
    {
        public void Report(GcProgress value)
        {
            if (value.Total is { } total)
            {
                console.Report(value.What, value.Done, total);
            }
            else
            {
                console.Report(value.What);
            }
        }
    }
}
