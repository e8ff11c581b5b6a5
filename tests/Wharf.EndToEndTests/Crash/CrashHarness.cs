using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Wharf.EndToEndTests.Cli;

namespace Wharf.EndToEndTests.Crash;

/// <summary>
/// The kill -9 harness: cycle after cycle it starts the real <c>wharf serve</c>, holds it to the ledger of everything
/// acknowledged so far, lets <see cref="CrashClient.Workers"/> clients push, and SIGKILLs it at a moment aimed at one
/// <see cref="CrashPhase"/>. Every few cycles it runs <c>wharf check</c> on the killed store; at the end it verifies
/// everything, waits for the upload janitor to clear every abandoned upload, and scans storage for blobs nobody sent.
/// </summary>
internal sealed class CrashHarness(CrashBackend backend, int kills, int seed, long largestBlob)
{
    /// <summary>Cycles between runs of <c>wharf check</c> on the killed store.</summary>
    private const int CheckEvery = 25;

    /// <summary>Cycles between full verifications (the others verify what the last cycle touched and a sample).</summary>
    private const int FullEvery = 50;

    private readonly CrashLedger _ledger = new();
    private readonly Random _random = new(seed);
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly Dictionary<CrashPhase, int> _landed = Enum.GetValues<CrashPhase>().ToDictionary(p => p, _ => 0);
    private readonly List<double> _startMilliseconds = [];
    private CrashClient[] _clients = [];
    private CrashPhase[] _round = [];
    private string _lastOutput = "";
    private int _acked;
    private int _unackedVisible;
    private int _checks;
    private int _missedTargets;
    private TimeSpan _verifying;
    private TimeSpan _working;

    public async Task<string> RunAsync()
    {
        var clock = Stopwatch.StartNew();
        _clients = Enumerable.Range(0, CrashClient.Workers).Select(w => new CrashClient(w, _ledger, new Random(seed + 1 + w), largestBlob, _unexpected)).ToArray();
        for (var cycle = 0; cycle < kills; cycle++)
        {
            var target = PickTarget(cycle);
            await RunCycleAsync(cycle, target);
            if ((cycle + 1) % CheckEvery == 0)
            {
                await CheckStoreAsync($"after kill {cycle + 1}");
            }
        }

        await FinishAsync();
        var phases = string.Join(", ", _landed.Where(p => p.Value > 0).Select(p => $"{p.Key} {p.Value}"));
        var starts = _startMilliseconds.Order().ToList();
        return string.Create(CultureInfo.InvariantCulture,
            $"crash harness on {backend.Name}: seed {seed} (WHARF_CRASH_SEED), {kills} kills in {clock.Elapsed.TotalSeconds:F0} s; landed: {phases} "
            + $"({_missedTargets} aimed elsewhere fell back to Anywhere); checked {_acked} acknowledged objects and {_unackedVisible} unacknowledged-but-visible ones "
            + $"(blobs, manifests, tags); {_clients.Sum(c => c.Resumed)} interrupted uploads resumed at the size the server kept (never below the acknowledged one); unanswered commits retried: {Retried()}; wharf check ran {_checks} times, clean; start to listening: median {starts[starts.Count / 2]:F0} ms, max {starts[^1]:F0} ms; "
            + $"time starting {_startMilliseconds.Sum() / 1000:F0} s, verifying {_verifying.TotalSeconds:F0} s, pushing until the kill {_working.TotalSeconds:F0} s");
    }

    private string Retried()
    {
        var outcomes = _clients.SelectMany(c => c.RetriedCommits).GroupBy(kv => kv.Key).Select(g => $"{g.Sum(kv => kv.Value)} answered {g.Key}").ToList();
        return outcomes.Count == 0 ? "none" : string.Join(", ", outcomes);
    }

    /// <summary>Every phase once per round, in a seeded order, so each gets its share whatever the count.</summary>
    private CrashPhase PickTarget(int cycle)
    {
        var phases = Enum.GetValues<CrashPhase>();
        if (cycle % phases.Length == 0)
        {
            _round = phases.ToArray();
            _random.Shuffle(_round);
        }

        return _round[cycle % phases.Length];
    }

    private async Task RunCycleAsync(int cycle, CrashPhase target)
    {
        var collecting = target == CrashPhase.GcSweep;
        if (collecting)
        {
            _ledger.StartGcEpoch();
        }

        await using var server = await StartAsync(collecting, finishing: false);
        using var http = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync(), Timeout = TimeSpan.FromSeconds(60) };
        var phase = Stopwatch.StartNew();
        await VerifyAsync(http, full: cycle % FullEvery == 0, collecting, $"after restart {cycle}", server);
        _verifying += phase.Elapsed;
        phase.Restart();

        var kill = new KillSwitch(server.KillNowAsync, target, _random.Next());
        var clients = _clients.Select(c => Task.Run(() => c.RunCycleAsync(http, kill, collecting))).ToList();
        await AimAsync(http, kill, target);
        var landed = await kill.Fired;
        await Task.WhenAll(clients);
        _working += phase.Elapsed;
        _landed[landed]++;
        _missedTargets += landed != target ? 1 : 0;
        _lastOutput = server.Output;
        if (collecting)
        {
            // Blobs acknowledged while the collector ran with a zero grace period may be collected before the kill.
            _ledger.StartGcEpoch();
        }

        if (_unexpected.TryDequeue(out var problem))
        {
            Fail($"in cycle {cycle} (aimed at {target}) the server answered a client wrongly: {problem}", server.Output);
        }
    }

    /// <summary>Kills at a random moment, when the collector is seen reclaiming, or when a client reaches the target (else after a while).</summary>
    private async Task AimAsync(HttpClient http, KillSwitch kill, CrashPhase target)
    {
        switch (target)
        {
            case CrashPhase.Anywhere:
                await Task.Delay(20 + _random.Next(400));
                await kill.FireAsync(CrashPhase.Anywhere, 0);
                return;
            case CrashPhase.GcSweep:
                var baseline = await ReclaimedAsync(http);
                for (var polls = 0; polls < 500 && !kill.HasFired; polls++)
                {
                    if (await ReclaimedAsync(http) > baseline)
                    {
                        await kill.FireAsync(CrashPhase.GcSweep, _random.Next(3000));
                        return;
                    }

                    await Task.Delay(2);
                }

                break;
            default:
                await Task.WhenAny(kill.Fired, Task.Delay(3000));
                break;
        }

        await kill.FireAsync(CrashPhase.Anywhere, 0);
    }

    private static async Task<long> ReclaimedAsync(HttpClient http)
    {
        using var status = JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/gc", UriKind.Relative)));
        var reclaimed = status.RootElement.GetProperty("reclaimed");
        return reclaimed.GetProperty("blobs").GetInt64() + reclaimed.GetProperty("links").GetInt64();
    }

    /// <summary>What the last cycle touched and a random sample of the rest, or everything (and the catalog) when <paramref name="full"/>.</summary>
    private async Task VerifyAsync(HttpClient http, bool full, bool collecting, string when, WharfProcess server)
    {
        var verifier = new CrashVerifier(http, _ledger);
        var touched = _ledger.TakeTouched(_random, 4);
        try
        {
            await verifier.VerifyAsync(full ? _ledger.All() : touched, collecting);
            if (full)
            {
                await verifier.VerifyNothingUnsentIsListedAsync();
            }
        }
        catch (CrashInvariantException e)
        {
            Fail($"{when}: {e.Message}", _lastOutput + "\n--- restarted server ---\n" + server.Output);
        }

        _acked += verifier.AckedChecked;
        _unackedVisible += verifier.UnackedVisibleChecked;
    }

    private async Task FinishAsync()
    {
        await using var server = await StartAsync(collecting: false, finishing: true);
        using var http = new HttpClient { BaseAddress = await server.WaitUntilListeningAsync() };
        await VerifyAsync(http, full: true, collecting: false, "final verification", server);

        // The janitor (every second; uploads expire after 2 s idle) removes every abandoned upload and its bytes.
        var leftovers = await backend.UploadLeftoversAsync();
        for (var polls = 0; leftovers.Count > 0 && polls < 300; polls++)
        {
            await Task.Delay(100);
            leftovers = await backend.UploadLeftoversAsync();
        }

        Assert.True(leftovers.Count == 0, $"upload bytes left after the janitor's sweeps: {string.Join(", ", leftovers)}");
        // A session written just before the last kill may have no bytes to wait for and still be inside its 2 s idle time:
        // ask again until it has expired (a status GET does not renew a session), for at most 30 s.
        foreach (var session in _ledger.Sessions())
        {
            var answer = System.Net.HttpStatusCode.OK;
            for (var polls = 0; polls < 60; polls++)
            {
                using var status = await http.GetAsync(new Uri(session.Location, UriKind.Relative));
                answer = status.StatusCode;
                if (answer == System.Net.HttpStatusCode.NotFound)
                {
                    break;
                }

                await Task.Delay(500);
            }

            Assert.True(answer == System.Net.HttpStatusCode.NotFound, $"upload session {session.Location} still answers {(int)answer} 30 s after the sweep began");
        }

        Assert.Equal(0, await server.TerminateAsync(TimeSpan.FromSeconds(30)));
        await CheckStoreAsync("at the end");
        foreach (var (digest, actual) in await backend.StoredBlobsAsync())
        {
            Assert.True(_ledger.WasSent(digest), $"storage holds blob {digest}, which no client ever sent");
            Assert.True(actual == digest, $"storage holds blob {digest} whose bytes hash to {actual}");
        }
    }

    /// <summary><c>wharf check</c> on the stopped store: metadata and storage agree, every blob whole.</summary>
    private async Task CheckStoreAsync(string when)
    {
        await using var check = WharfProcess.Start(["check", "--data", backend.DataDirectory], backend.Environment);
        var exitCode = await check.WaitForExitAsync(TimeSpan.FromSeconds(120));
        if (exitCode != 0)
        {
            Fail($"wharf check {when} exited {exitCode}:\n{check.Output}", _lastOutput);
        }

        _checks++;
    }

    /// <summary>
    /// Starts <c>wharf serve</c>. Uploads expire after a minute while clients may still resume them after a kill, and after
    /// two seconds on the <paramref name="finishing"/> server, whose janitor must then clear every one of them.
    /// </summary>
    private async Task<WharfProcess> StartAsync(bool collecting, bool finishing)
    {
        var environment = new Dictionary<string, string>(backend.Environment)
        {
            ["WHARF_UPLOADS__EXPIREAFTER"] = finishing ? "00:00:02" : "00:01:00",
            ["WHARF_UPLOADS__SWEEPINTERVAL"] = "00:00:01",
            ["WHARF_GC__GRACEPERIOD"] = collecting ? "00:00:00" : "01:00:00",
            ["WHARF_GC__INTERVAL"] = collecting ? "00:00:00.010" : "00:01:00",
            ["WHARF_GC__BATCHSIZE"] = collecting ? "2" : "100",
        };
        var started = Stopwatch.StartNew();
        var server = WharfProcess.Start(["serve", "--listen", "127.0.0.1:0", "--data", backend.DataDirectory], environment);
        await server.WaitUntilListeningAsync();
        _startMilliseconds.Add(started.Elapsed.TotalMilliseconds);
        return server;
    }

    private void Fail(string problem, string serverOutput)
    {
        var tail = string.Join('\n', serverOutput.Split('\n').TakeLast(40));
        Assert.Fail($"{problem}\nseed {seed}: replay with WHARF_CRASH_SEED={seed}\nserver log (last lines):\n{tail}");
    }
}
