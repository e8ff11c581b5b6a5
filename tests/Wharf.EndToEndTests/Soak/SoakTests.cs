using System.Globalization;
using Wharf.EndToEndTests.Cli;
using Wharf.EndToEndTests.Faults;
using Xunit.Abstractions;

namespace Wharf.EndToEndTests.Soak;

/// <summary>
/// 32 clients push, pull, list and search against a real <c>wharf serve</c> for <c>WHARF_SOAK_SECONDS</c> (90 in CI,
/// 600 with <c>./test.sh --heavy</c>). No request may fail, and the server's resident memory after warm-up may grow
/// by less than 10 %. The latency of each kind of request is reported with its p99. The data lives on a tmpfs (8 GiB at
/// most, taken only as used) for runs under five minutes: the test measures the server, not this machine's disk, and
/// removes its files at once. Longer runs use the disk.
/// </summary>
public sealed class SoakTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Clients = 32;
    private const double AllowedGrowth = 0.10;
    private static readonly TimeSpan OnDiskFrom = TimeSpan.FromMinutes(5);
    private SmallDisk? _disk;
    private string? _onDisk;

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Thirty_two_clients_push_pull_list_and_search_without_a_failure_while_the_servers_memory_levels_off()
    {
        var duration = TimeSpan.FromSeconds(SecondsFromEnvironment());
        var warmUp = TimeSpan.FromSeconds(Math.Min(Math.Max(40, duration.TotalSeconds / 4), duration.TotalSeconds / 2));
        var window = TimeSpan.FromSeconds(Math.Max(5, duration.TotalSeconds / 6));
        var seed = Environment.GetEnvironmentVariable("WHARF_SOAK_SEED") is { } given ? int.Parse(given, CultureInfo.InvariantCulture) : Random.Shared.Next();

        await using var wharf = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", Path.Combine(_disk?.Path ?? _onDisk!, "data")], ServerSettings(duration));
        var address = await wharf.WaitUntilListeningAsync();
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = Clients };
        using var client = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        var ledger = new SoakLedger();
        var images = new SoakImages();
        var baseLayer = await SoakWorkload.PushBaseLayerAsync(client);

        var started = DateTimeOffset.UtcNow;
        var until = started + duration;
        var workers = Enumerable.Range(0, Clients)
            .Select(i => Task.Run(() => new SoakWorkload(client, ledger, images).RunAsync(new Random(seed + i), baseLayer, until)))
            .ToList();
        var samples = new List<(TimeSpan At, long Rss)>();
        while (DateTimeOffset.UtcNow < until && !wharf.HasExited)
        {
            samples.Add((DateTimeOffset.UtcNow - started, ResidentMemory.OfProcess(wharf.Id)));
            await Task.WhenAny(Task.WhenAll(workers), Task.Delay(TimeSpan.FromMilliseconds(500)));
        }

        await Task.WhenAll(workers);
        var baseline = ResidentMemory.Median(samples.Where(s => s.At >= warmUp && s.At < warmUp + window).Select(s => s.Rss));
        var final = ResidentMemory.Median(samples.Where(s => s.At >= duration - window).Select(s => s.Rss));
        var growth = (double)(final - baseline) / baseline;
        var report =
            FormattableString.Invariant($"soak: {Clients} clients for {duration.TotalSeconds:F0} s (seed {seed}): {ledger.Requests} requests, {ledger.Failures.Count} failed, {images.Count} manifests pushed\n") +
            FormattableString.Invariant($"soak: server RSS after {warmUp.TotalSeconds:F0} s warm-up {baseline / 1048576.0:F1} MiB, at the end {final / 1048576.0:F1} MiB ({growth:P1}), peak {samples.Max(s => s.Rss) / 1048576.0:F1} MiB\n") +
            ledger.Summary();
        output.WriteLine(report);
        Console.WriteLine(report);

        Assert.False(wharf.HasExited, $"the server exited during the soak:\n{wharf.Output}");
        Assert.True(ledger.Failures.Count == 0, $"{ledger.Failures.Count} requests failed, the first: {string.Join('\n', ledger.Failures.Take(10))}");
        Assert.True(images.Count > Clients, $"only {images.Count} manifests were pushed: the soak did not load the server");
        Assert.True(growth < AllowedGrowth, $"the server's memory grew {growth:P1} after warm-up (allowed {AllowedGrowth:P0})\n{report}");
        await wharf.TerminateAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>
    /// Short runs put the data on a tmpfs; long ones push more than memory should hold while the collector, which yields
    /// to a saturating load, catches up, so they use the temporary directory's disk.
    /// </summary>
    public async Task InitializeAsync()
    {
        if (TimeSpan.FromSeconds(SecondsFromEnvironment()) >= OnDiskFrom)
        {
            _onDisk = Directory.CreateTempSubdirectory("wharf-soak-").FullName;
        }
        else
        {
            _disk = await SmallDisk.MountAsync(8192);
        }
    }

    public async Task DisposeAsync()
    {
        if (_disk is not null)
        {
            await _disk.DisposeAsync();
        }

        if (_onDisk is not null)
        {
            Directory.Delete(_onDisk, recursive: true);
        }
    }

    /// <summary>
    /// A steady state, as a registry with garbage collection has: the collector runs every second and takes what tags
    /// no longer reach after 5 s, so the stored data stops growing once tags start moving. The metadata caches are
    /// bounded (<c>Cache:*</c>); a run shorter than ten minutes would still be filling them at the end, and read that
    /// as growth, so there they are sized to fill during warm-up.
    /// </summary>
    private static Dictionary<string, string> ServerSettings(TimeSpan duration)
    {
        var settings = new Dictionary<string, string>
        {
            ["WHARF_GC__GRACEPERIOD"] = "00:00:05",
            ["WHARF_GC__INTERVAL"] = "00:00:01",
            ["WHARF_GC__UNTAGGEDMANIFESTS__POLICY"] = "Delete",
            ["WHARF_GC__UNTAGGEDMANIFESTS__AFTER"] = "00:00:05",
        };
        if (duration < TimeSpan.FromMinutes(10))
        {
            settings["WHARF_CACHE__MANIFESTBYTES"] = "1048576";
            settings["WHARF_CACHE__BLOBENTRIES"] = "2000";
        }

        return settings;
    }

    private static int SecondsFromEnvironment() =>
        Environment.GetEnvironmentVariable("WHARF_SOAK_SECONDS") is { Length: > 0 } seconds ? int.Parse(seconds, CultureInfo.InvariantCulture) : 90;
}
