using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Wharf.Bench.Load;

/// <summary>
/// Turns run.sh's results (one JSON object per line: run, registry, workload, metrics) and the limits.sh
/// output into the comparison table (medians over runs; ratio &gt; 1 means Wharf is better) and latest.json.
/// </summary>
public static class Report
{
    private const double GiB = 1 << 30;

    private sealed record Row(string Workload, string Metric, string Label, string Unit, bool HigherIsBetter, Func<Ctx, (string Text, bool? Ok)>? Target = null, int Digits = 1);

    /// <summary>What a target check sees: both medians, the ratio and the machine ceilings.</summary>
    private sealed record Ctx(double Wharf, double Distribution, double Ratio, Ceilings Limits);

    private sealed record Ceilings(double Sha, double Disk, double LoopbackGet)
    {
        public double PushTarget => 0.8 * Math.Min(Sha, Disk);

        public double PullTarget => 0.9 * LoopbackGet;
    }

    private static readonly Row[] Rows =
    [
        new("push_mono", "mbps", "push 1 blob monolithic (POST+PUT)", "MB/s", true, c => Both(c, 4, c.Limits.PushTarget)),
        new("push_mono", "cpu_s_per_gib", "  server CPU per GiB pushed", "cpu-s/GiB", false, c => Max(c.Wharf, 1.0), 2),
        new("push_chunked", "mbps", "push 1 blob chunked (PATCH+Content-Range)", "MB/s", true, c => Both(c, 4, c.Limits.PushTarget)),
        new("push_chunked", "cpu_s_per_gib", "  server CPU per GiB pushed", "cpu-s/GiB", false, c => Max(c.Wharf, 1.0), 2),
        new("pull", "mbps", "pull 1 blob (GET, discard)", "MB/s", true, c => Abs(c.Wharf, c.Limits.PullTarget)),
        new("pull", "cpu_s_per_gib", "  server CPU per GiB pulled", "cpu-s/GiB", false, Digits: 2),
        new("range", "mbps", "range read (1/4 of blob, middle)", "MB/s", true),
        new("head_blob", "rps", "HEAD blob, ab -k c32", "req/s", true, c => Ratio(c, 10), 0),
        new("head_blob", "p50_ms", "  p50 latency", "ms", false, Digits: 2),
        new("head_blob", "p99_ms", "  p99 latency", "ms", false, c => Max(c.Wharf, 5, strict: true), 2),
        new("head_blob", "cpu_us_per_req", "  server CPU per request", "cpu-us", false, Digits: 0),
        new("get_manifest", "rps", "GET manifest by tag, wrk -t2 c32", "req/s", true, c => Ratio(c, 10), 0),
        new("get_manifest", "p50_ms", "  p50 latency", "ms", false, Digits: 2),
        new("get_manifest", "p99_ms", "  p99 latency", "ms", false, c => Max(c.Wharf, 5, strict: true), 2),
        new("get_manifest", "cpu_us_per_req", "  server CPU per request", "cpu-us", false, Digits: 0),
        new("small_seq_first", "images_per_s", "small images, sequential, first after start", "images/s", true),
        new("small_seq_first", "cpu_ms_per_image", "  server CPU per image", "cpu-ms", false, Digits: 2),
        new("small_seq", "images_per_s", "small images, sequential (7 req each)", "images/s", true, c => Ratio(c, 5)),
        new("small_seq", "cpu_ms_per_image", "  server CPU per image", "cpu-ms", false, Digits: 2),
        new("small_par8", "images_per_s", "small images, 8 workers", "images/s", true, c => Ratio(c, 5)),
        new("small_par8", "cpu_ms_per_image", "  server CPU per image", "cpu-ms", false, Digits: 2),
        new("tags_list", "ms", "tags/list, full list", "ms", false, Digits: 2),
        new("catalog_walk", "ms", "_catalog walk n=100 (Link)", "ms", false, c => Max(c.Wharf, 20, strict: true), 2),
        new("catalog_first_100k", "ms", "_catalog first page n=100, 100k repos", "ms", false, c => Max(c.Wharf, 20, strict: true), 2),
        new("catalog_first_100k", "cold_ms", "  first request after start", "ms", false, Digits: 2),
        new("server", "peak_rss_mib", "peak RSS (VmHWM), whole run", "MiB", false, c => Max(c.Wharf, 100), 0),
    ];

    public static string Run(Options o)
    {
        var records = File.ReadAllLines(o.Get("results"))
            .Where(l => l.Length > 0)
            .Select(l => JsonNode.Parse(l)!.AsObject())
            .ToList();
        var limits = ReadLimits(o.Get("limits", ""));
        var ceilings = new Ceilings(
            Pick(limits, "openssl_sha256_16k", "dotnet_sha256_incremental_1024KiB_per_cpu_s"),
            Pick(limits, "disk_write_fdatasync"),
            Math.Max(Pick(limits, "http_get_sendfile"), Pick(limits, "http_get_usercopy")));

        var rows = new JsonArray();
        var table = new StringBuilder();
        table.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{"workload",-44} {"unit",-10} {"Wharf",10} {"Distribution",12} {"ratio",7}  target"));
        table.AppendLine(new string('-', 110));
        foreach (var row in Rows)
        {
            var wharf = Values(records, "wharf", row);
            var dist = Values(records, "distribution", row);
            if (wharf.Count == 0 && dist.Count == 0)
            {
                continue;
            }

            double w = Util.Median(wharf), d = Util.Median(dist);
            var ratio = row.HigherIsBetter ? w / d : d / w;
            var (target, ok) = row.Target?.Invoke(new Ctx(w, d, ratio, ceilings)) ?? ("", null);
            var mark = ok switch { true => "ok  ", false => "MISS", null => "" };
            table.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"{row.Label,-44} {row.Unit,-10} {Fmt(w, row.Digits),10} {Fmt(d, row.Digits),12} {Fmt(ratio, 2),7}  {mark} {target}"));
            rows.Add(new JsonObject
            {
                ["workload"] = row.Workload,
                ["metric"] = row.Metric,
                ["label"] = row.Label.Trim(),
                ["unit"] = row.Unit,
                ["higher_is_better"] = row.HigherIsBetter,
                ["wharf"] = Num(w),
                ["distribution"] = Num(d),
                ["ratio"] = Num(ratio),
                ["target"] = target,
                ["target_met"] = ok,
                ["wharf_runs"] = new JsonArray(wharf.Select(v => (JsonNode?)Num(v)).ToArray()),
                ["distribution_runs"] = new JsonArray(dist.Select(v => (JsonNode?)Num(v)).ToArray()),
            });
        }

        table.AppendLine();
        table.AppendLine("ratio > 1 means Wharf is better (throughput: Wharf/Distribution; times, CPU, RSS: Distribution/Wharf).");
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"ceilings: SHA-256 {Fmt(ceilings.Sha, 0)} MB/s, disk write+fdatasync {Fmt(ceilings.Disk, 0)} MB/s, loopback GET {Fmt(ceilings.LoopbackGet, 0)} MB/s"));
        table.AppendLine(string.Create(CultureInfo.InvariantCulture,
            $"derived targets: push >= {Fmt(ceilings.PushTarget, 0)} MB/s (80% of min(SHA-256, disk)), pull >= {Fmt(ceilings.PullTarget, 0)} MB/s (90% of loopback GET)"));

        var seeding = new JsonObject();
        foreach (var r in records.Where(r => r["workload"]?.GetValue<string>() is { } wl && wl.StartsWith("seed_", StringComparison.Ordinal)))
        {
            var key = r["registry"]!.GetValue<string>() + "." + r["workload"]!.GetValue<string>();
            if (!seeding.ContainsKey(key))
            {
                seeding[key] = r["seeded_by"]?.GetValue<string>() ?? "";
            }
        }

        if (seeding.Count > 0)
        {
            table.AppendLine("seeding: " + string.Join("; ", seeding.Select(kv => $"{kv.Key}: {kv.Value}")));
        }

        var output = new JsonObject
        {
            ["generated_utc"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
            ["rows"] = rows,
            ["limits"] = new JsonObject(limits.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, Num(kv.Value)))),
            ["ceilings"] = new JsonObject
            {
                ["sha256_mbps"] = Num(ceilings.Sha),
                ["disk_write_mbps"] = Num(ceilings.Disk),
                ["loopback_get_mbps"] = Num(ceilings.LoopbackGet),
                ["push_target_mbps"] = Num(ceilings.PushTarget),
                ["pull_target_mbps"] = Num(ceilings.PullTarget),
            },
            ["seeding"] = seeding,
            ["records"] = new JsonArray(records.Select(r => (JsonNode?)r.DeepClone()).ToArray()),
        };
        var meta = o.Get("meta", "");
        if (meta.Length > 0 && File.Exists(meta))
        {
            output["meta"] = JsonNode.Parse(File.ReadAllText(meta));
        }

        File.WriteAllText(o.Get("out"), output.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return table.ToString().TrimEnd();
    }

    private static List<double> Values(List<JsonObject> records, string registry, Row row) =>
        records
            .Where(r => r["registry"]?.GetValue<string>() == registry && r["workload"]?.GetValue<string>() == row.Workload)
            .Select(r => Metric(r, row.Metric))
            .Where(v => !double.IsNaN(v))
            .ToList();

    /// <summary>A metric as recorded, or derived from the server CPU seconds run.sh measured around the workload.</summary>
    private static double Metric(JsonObject r, string metric)
    {
        double Get(string key) => r[key] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;
        return metric switch
        {
            "cpu_s_per_gib" => Get("cpu_s") / (Get("bytes") / GiB),
            "cpu_us_per_req" => Get("cpu_s") * 1e6 / Get("requests"),
            "cpu_ms_per_image" => Get("cpu_s") * 1e3 / Get("images"),
            _ => Get(metric),
        };
    }

    private static Dictionary<string, double> ReadLimits(string path)
    {
        var limits = new Dictionary<string, double>(StringComparer.Ordinal);
        if (path.Length == 0 || !File.Exists(path))
        {
            return limits;
        }

        foreach (var line in File.ReadAllLines(path))
        {
            var colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0 || line.StartsWith('#'))
            {
                continue;
            }

            var value = line[(colon + 2)..].Split(' ')[0];
            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
            {
                limits[line[..colon]] = d;
            }
        }

        return limits;
    }

    private static double Pick(Dictionary<string, double> limits, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (limits.TryGetValue(key, out var v))
            {
                return v;
            }
        }

        return double.NaN;
    }

    private static (string, bool?) Ratio(Ctx c, double min) =>
        (string.Create(CultureInfo.InvariantCulture, $"ratio >= {min}"), double.IsNaN(c.Ratio) ? null : c.Ratio >= min);

    private static (string, bool?) Abs(double value, double min) =>
        (string.Create(CultureInfo.InvariantCulture, $">= {Fmt(min, 0)}"), double.IsNaN(value) || double.IsNaN(min) ? null : value >= min);

    private static (string, bool?) Both(Ctx c, double ratio, double min)
    {
        var (_, r) = Ratio(c, ratio);
        var (_, a) = Abs(c.Wharf, min);
        return (string.Create(CultureInfo.InvariantCulture, $"ratio >= {ratio} and >= {Fmt(min, 0)} MB/s"), r is null || a is null ? null : r.Value && a.Value);
    }

    private static (string, bool?) Max(double value, double max, bool strict = false) =>
        (string.Create(CultureInfo.InvariantCulture, $"Wharf {(strict ? "<" : "<=")} {max}"), double.IsNaN(value) ? null : strict ? value < max : value <= max);

    private static string Fmt(double v, int digits) =>
        double.IsNaN(v) || double.IsInfinity(v) ? "-" : v.ToString("F" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static JsonNode? Num(double v) => double.IsNaN(v) || double.IsInfinity(v) ? null : JsonValue.Create(Math.Round(v, 4));
}
