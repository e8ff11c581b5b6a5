using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Bench.Gc;

// The online garbage collector's cost (bench/README.md): one full collection of BLOBS unreferenced blobs (time,
// blobs/s), and small-image push latency with the collector idle and while it sweeps a backlog, per Gc:BatchSize.
//   dotnet run -c Release --project bench/Wharf.Bench.Gc -- [quick=1] [blobs=100000] [backlog=60000] [pushes=200] [workers=8] [batch=100,10,1] [engines=1]
var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
int Int(string key, int fallback) => options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var quick = options.GetValueOrDefault("quick") == "1";
var blobs = Int("blobs", quick ? 10_000 : 100_000);
var backlog = Int("backlog", quick ? 20_000 : 60_000);
var pushes = Int("pushes", quick ? 100 : 200);
var workers = Int("workers", 8);
var warmup = Int("warmup", 30);
var blobSize = Math.Max(64, Int("blobSize", 512));
var fillWorkers = Int("fillWorkers", 16);
var batches = options.GetValueOrDefault("batch", "100,10,1").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
var engines = options.GetValueOrDefault("engines") == "1";
var engineBlobs = Int("engineBlobs", 10_000);
var output = options.GetValueOrDefault("out", Path.Combine("bench", "results", "gc-latest.json"));
const double AllowedP99Rise = 1.20;

var text = new StringBuilder();
void Say(string line)
{
    Console.WriteLine(line);
    text.AppendLine(line);
}

Say(string.Create(CultureInfo.InvariantCulture,
    $"# Wharf online GC cost: {blobs:N0} unreferenced blobs of {blobSize} B; push latency over {pushes} small-image pushes ({workers} clients), sweep backlog {backlog:N0}; Gc:BatchSize {string.Join(", ", batches)}; {Environment.ProcessorCount} cores"));
Say($"# backlog filled {Backlog.Method}; pushes over HTTP to the same in-process registry (Kestrel, 127.0.0.1)");
var results = new JsonArray();
var backends = engines ? new[] { ("filesystem+sqlite", false, blobs, backlog), ("s3+postgresql", true, engineBlobs, engineBlobs) } : [("filesystem+sqlite", false, blobs, backlog)];
var flagged = false;
foreach (var (backend, onEngines, count, sweepBacklog) in backends)
{
    Say($"\n## {backend}\n");
    var result = new JsonObject { ["bench"] = "gc", ["backend"] = backend, ["fill_method"] = Backlog.Method, ["blob_bytes"] = blobSize };

    // One full collection, alone: links first (abandoned uploads), then the blobs they leave.
    await using (var registry = await Registry.StartAsync(batches[0], onEngines))
    {
        var filled = await Backlog.FillAsync(registry.Services, "full", count, blobSize, repositories: 100, fillWorkers);
        Say(string.Create(CultureInfo.InvariantCulture, $"fill: {count:N0} blobs in {filled.TotalSeconds:F1} s ({count / filled.TotalSeconds:F0} blobs/s)"));
        registry.PassGracePeriod();
        var links = await Backlog.CollectAllAsync(registry.Collector, CancellationToken.None);
        registry.PassGracePeriod();
        var swept = await Backlog.CollectAllAsync(registry.Collector, CancellationToken.None);
        if (links.Links != count || swept.Blobs != count)
        {
            throw new InvalidOperationException($"expected {count} links and blobs collected, got {links.Links} links and {swept.Blobs} blobs");
        }

        var total = links.Elapsed + swept.Elapsed;
        Say(string.Create(CultureInfo.InvariantCulture,
            $"full collection (Gc:BatchSize {batches[0]}): links {links.Elapsed.TotalSeconds:F1} s ({count / links.Elapsed.TotalSeconds:F0}/s), blobs {swept.Elapsed.TotalSeconds:F1} s ({count / swept.Elapsed.TotalSeconds:F0}/s, {swept.Bytes:N0} bytes), total {total.TotalSeconds:F1} s ({count / total.TotalSeconds:F0} blobs/s)"));
        result["blobs"] = count;
        result["fill_seconds"] = Round(filled.TotalSeconds);
        result["collection"] = new JsonObject
        {
            ["batch_size"] = batches[0],
            ["links_seconds"] = Round(links.Elapsed.TotalSeconds),
            ["blobs_seconds"] = Round(swept.Elapsed.TotalSeconds),
            ["total_seconds"] = Round(total.TotalSeconds),
            ["blobs_per_second"] = Round(count / total.TotalSeconds),
            ["blob_step_per_second"] = Round(count / swept.Elapsed.TotalSeconds),
            ["cycles"] = links.Cycles + swept.Cycles,
        };
    }

    // Push latency, idle and while a sweep of a blob backlog runs, for each batch size in turn on one backlog: the
    // sweep is stopped when the pushes end, so the next setting continues on what is left.
    var latency = new JsonArray();
    Say("\n| Gc:BatchSize | idle p50 ms | idle p99 ms (before / after) | sweeping p50 ms | sweeping p99 ms | p99 ratio | swept during the pushes | verdict |");
    Say("|---:|---:|---:|---:|---:|---:|---:|---|");
    await using (var registry = await Registry.StartAsync(batches[0], onEngines))
    {
        await Backlog.FillAsync(registry.Services, "backlog", sweepBacklog, blobSize, repositories: 100, fillWorkers);
        registry.PassGracePeriod();
        await Backlog.CollectAllAsync(registry.Collector, CancellationToken.None); // links: their blobs are queued now
        registry.PassGracePeriod();                                                // and due

        using var pusher = new Pusher(registry.Address, workers);
        await pusher.PushAsync("gcbench/pushes", warmup, workers, CancellationToken.None);
        foreach (var batch in batches)
        {
            registry.BatchSize = batch;
            var idle = await pusher.PushAsync("gcbench/pushes", pushes, workers, CancellationToken.None);
            var before = await registry.BlobsDeletedAsync();
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using var stop = new CancellationTokenSource();
            var sweep = Task.Run(() => Backlog.CollectAllAsync(registry.Collector, stop.Token));
            var during = await pusher.PushAsync("gcbench/pushes", pushes, workers, CancellationToken.None);
            var window = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            var outlasted = !sweep.IsCompleted;
            await stop.CancelAsync();
            try
            {
                await sweep;
            }
            catch (OperationCanceledException)
            {
                // stopped with the pushes, as intended
            }

            var swept = await registry.BlobsDeletedAsync() - before;
            var idleAgain = await pusher.PushAsync("gcbench/pushes", pushes, workers, CancellationToken.None);
            // The baseline pools the idle pushes before and after: on a shared machine either alone drifts.
            var baseline = idle.Concat(idleAgain).Order().ToArray();
            var ratio = Percentile(during, 0.99) / Percentile(baseline, 0.99);
            var rise = ratio > AllowedP99Rise;
            var verdict = !outlasted ? "INVALID: backlog ran out (raise backlog=)" : rise ? string.Create(CultureInfo.InvariantCulture, $"FLAG: p99 +{(ratio - 1) * 100:F0} % (> 20 %)") : "ok (<= +20 %)";
            flagged |= rise || !outlasted;
            Say(string.Create(CultureInfo.InvariantCulture,
                $"| {batch} | {Percentile(baseline, 0.5):F1} | {Percentile(baseline, 0.99):F1} ({Percentile(idle, 0.99):F0} / {Percentile(idleAgain, 0.99):F0}) | {Percentile(during, 0.5):F1} | {Percentile(during, 0.99):F1} | {ratio:F2} | {swept:N0} blobs in {window.TotalSeconds:F1} s ({swept / window.TotalSeconds:F0}/s) | {verdict} |"));
            latency.Add(new JsonObject
            {
                ["batch_size"] = batch,
                ["idle"] = Summary(idle),
                ["sweeping"] = Summary(during),
                ["idle_again"] = Summary(idleAgain),
                ["idle_pooled"] = Summary(baseline),
                ["p99_ratio"] = Round(ratio),
                ["sweep_window_seconds"] = Round(window.TotalSeconds),
                ["blobs_swept_in_window"] = swept,
                ["sweep_outlasted_pushes"] = outlasted,
                ["flag_p99_rise_over_20_percent"] = rise,
            });
        }
    }

    result["push_latency"] = latency;
    results.Add(result);
    Say("\n" + result.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, new JsonObject { ["runs"] = results, ["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) }
    .ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
await File.WriteAllTextAsync(Path.ChangeExtension(output, ".txt"), text.ToString());
return flagged ? 3 : 0;

static double Percentile(double[] sorted, double q) => sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Length) - 1, 0, sorted.Length - 1)];

static double Round(double value) => Math.Round(value, 2);

static JsonObject Summary(double[] sorted) => new()
{
    ["pushes"] = sorted.Length,
    ["p50_ms"] = Round(Percentile(sorted, 0.5)),
    ["p99_ms"] = Round(Percentile(sorted, 0.99)),
    ["max_ms"] = Round(sorted[^1]),
};
