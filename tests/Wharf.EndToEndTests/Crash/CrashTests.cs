using System.Globalization;
using Xunit.Abstractions;

namespace Wharf.EndToEndTests.Crash;

/// <summary>
/// The kill -9 harness (issue #12) against the real <c>wharf serve</c>: hundreds of SIGKILLs aimed at every phase of a push
/// and at the collector, each followed by a restart and a check against the ledger of what the server acknowledged.
/// Sizes: WHARF_CRASH_KILLS_FS (200), WHARF_CRASH_KILLS_S3 (50); WHARF_CRASH_SEED replays a run's choices.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    [Fact]
    public Task Kill_9_at_random_moments_on_the_filesystem_and_SQLite_loses_nothing_acknowledged_and_leaves_nothing_behind() =>
        RunAsync(scaleOut: false, Count("WHARF_CRASH_KILLS_FS", 200), largestBlob: 4 * 1024 * 1024);

    [Fact]
    [Trait("Category", "ScaleOut")]
    public Task Kill_9_at_random_moments_on_S3_and_PostgreSQL_loses_nothing_acknowledged_and_leaves_nothing_behind() =>
        RunAsync(scaleOut: true, Count("WHARF_CRASH_KILLS_S3", 50), largestBlob: 6 * 1024 * 1024);

    private async Task RunAsync(bool scaleOut, int kills, long largestBlob)
    {
        var seed = Count("WHARF_CRASH_SEED", Random.Shared.Next(1, int.MaxValue));
        Console.WriteLine($"crash harness: seed {seed} (replay with WHARF_CRASH_SEED={seed})");
        output.WriteLine($"seed {seed}");
        await using var backend = await CrashBackend.CreateAsync(scaleOut);
        var summary = await new CrashHarness(backend, kills, seed, largestBlob).RunAsync();
        output.WriteLine(summary);
        Console.WriteLine(summary);
    }

    private static int Count(string variable, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(variable), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
}
