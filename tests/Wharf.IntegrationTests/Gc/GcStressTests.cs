using Microsoft.Extensions.Time.Testing;
using Wharf.TestKit;
using Xunit.Abstractions;

namespace Wharf.IntegrationTests.Gc;

public class GcStressTests(ITestOutputHelper output)
{
    /// <summary>Iterations per writer; <c>WHARF_GC_STRESS_ITERATIONS</c> raises it for longer runs (./test.sh --heavy).</summary>
    private static int Iterations => int.TryParse(Environment.GetEnvironmentVariable("WHARF_GC_STRESS_ITERATIONS"), out var n) ? n : 24;

    [Fact]
    public async Task Eight_writers_and_a_continuous_collector_lose_nothing_and_leave_nothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await WharfTestServer.StartAsync(GcStress.Settings, time);
        var stress = new GcStress([server], time, Iterations);

        await stress.RunAsync();
        await stress.VerifyAsync();

        output.WriteLine($"{GcStress.Writers} writers x {Iterations} steps, {stress.Cycles} collection rounds, {stress.BlobsDeleted} blobs collected, {stress.Retries} pushes retried");
        Assert.True(stress.BlobsDeleted > 0, "the collector deleted nothing: the test did not exercise it");
    }

    [Fact]
    [Trait("Category", "ScaleOut")]
    public async Task Two_instances_collecting_at_once_on_S3_and_PostgreSQL_lose_nothing_and_leave_nothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        foreach (var (key, value) in GcStress.Settings)
        {
            settings[key] = value;
        }

        await using var a = await WharfTestServer.StartAsync(settings, time);
        await using var b = await WharfTestServer.StartAsync(settings, time);
        var stress = new GcStress([a, b], time, Iterations);

        await stress.RunAsync();
        await stress.VerifyAsync();

        output.WriteLine($"two instances, {GcStress.Writers} writers x {Iterations} steps, {stress.Cycles} collection rounds, {stress.BlobsDeleted} blobs collected, {stress.Retries} pushes retried");
        Assert.True(stress.BlobsDeleted > 0, "the collector deleted nothing: the test did not exercise it");
    }
}
