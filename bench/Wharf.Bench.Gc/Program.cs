using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Wharf.Bench.Gc;

// The online garbage collector's cost (bench/README.md): one full collection of BLOBS unreferenced blobs (time,
// blobs/s), and small-image push latency with the collector idle and while it sweeps a backlog, per Gc:BatchSize.
//   dotnet run -c Release --project bench/Wharf.Bench.Gc -- [blobs=100000] [backlog=50000] [pushes=300] [workers=4] [batch=100,25] [engines=1]
var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
int Int(string key, int fallback) => options.TryGetValue(key, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
var blobs = Int("blobs", 100_000);
var backlog = Int("backlog", 50_000);
var pushes = Int("pushes", 300);
var workers = Int("workers", 4);
var warmup = Int("warmup", 30);
var blobSize = Math.Max(64, Int("blobSize", 512));
var fillWorkers = Int("fillWorkers", 16);
var batches = options.GetValueOrDefault("batch", "100").Split(',').Select(b => int.Parse(b, CultureInfo.InvariantCulture)).ToArray();
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

    // Push latency, idle and during a sweep of a blob backlog, for each batch size.
    var latency = new JsonArray();
    Say("\n| Gc:BatchSize | idle p50 ms | idle p99 ms | sweeping p50 ms | sweeping p99 ms | p99 ratio | idle again p99 ms | sweep of backlog s | sweep outlasted pushes | verdict |");
    Say("|---:|---:|---:|---:|---:|---:|---:|---:|---|---|");
    foreach (var batch in batches)
    {
        await using var registry = await Registry.StartAsync(batch, onEngines);
        await Backlog.FillAsync(registry.Services, "backlog", sweepBacklog, blobSize, repositories: 100, fillWorkers);
        registry.PassGracePeriod();
        await Backlog.CollectAllAsync(registry.Collector, CancellationToken.None); // links: the blobs are queued now
        registry.PassGracePeriod();                                                // and due

        using var pusher = new Pusher(registry.Address, workers);
        await pusher.PushAsync("gcbench/pushes", warmup, workers, CancellationToken.None);
        var idle = await pusher.PushAsync("gcbench/pushes", pushes, workers, CancellationToken.None);
        var sweep = Task.Run(() => Backlog.CollectAllAsync(registry.Collector, CancellationToken.None));
        var during = await pusher.PushAsync("gcbench/pushes", pushes, workers, CancellationToken.None);
        var outlasted = !sweep.IsCompleted;
        var swept = await sweep;
        var idleAgain = await pusher.PushAsync("gcbench/pushes", pushes, workers, CancellationToken.None);
        var ratio = Percentile(during, 0.99) / Percentile(idle, 0.99);
        var verdict = !outlasted ? "INVALID: sweep ended first (raise backlog=)" : ratio > AllowedP99Rise ? "FLAG: p99 +" + ((ratio - 1) * 100).ToString("F0", CultureInfo.InvariantCulture) + " %" : "ok (<= +20 %)";
        flagged |= outlasted && ratio > AllowedP99Rise;
        Say(string.Create(CultureInfo.InvariantCulture,
            $"| {batch} | {Percentile(idle, 0.5):F1} | {Percentile(idle, 0.99):F1} | {Percentile(during, 0.5):F1} | {Percentile(during, 0.99):F1} | {ratio:F2} | {Percentile(idleAgain, 0.99):F1} | {swept.Elapsed.TotalSeconds:F1} ({swept.Blobs:N0} blobs) | {(outlasted ? "yes" : "no")} | {verdict} |"));
        latency.Add(new JsonObject
        {
            ["batch_size"] = batch,
            ["idle"] = Summary(idle),
            ["sweeping"] = Summary(during),
            ["idle_again"] = Summary(idleAgain),
            ["p99_ratio"] = Round(ratio),
            ["sweep_seconds"] = Round(swept.Elapsed.TotalSeconds),
            ["sweep_blobs"] = swept.Blobs,
            ["sweep_outlasted_pushes"] = outlasted,
            ["flag_p99_rise_over_20_percent"] = outlasted && ratio > AllowedP99Rise,
        });
    }

    result["push_latency"] = latency;
    results.Add(result);
    Say("\n" + result.ToJsonString());
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
await File.WriteAllTextAsync(output, new JsonObject { ["runs"] = results, ["at"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture) }
    .ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
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
