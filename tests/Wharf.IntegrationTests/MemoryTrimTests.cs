using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Hosting;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>After work and then <c>Memory:TrimAfterIdle</c> without a request, the server trims; while requests keep coming, it does not.</summary>
public sealed class MemoryTrimTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_quiet_interval_after_pushes_trims_and_the_server_keeps_working_after()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?> { ["Memory:TrimAfterIdle"] = "00:00:10" }, time);
        var trimmer = server.Services.GetRequiredService<MemoryTrimmer>();
        var registry = new Registry(server);
        var trimmed = trimmer.NextTrimAsync();

        // Requests in every interval: each look sees work, so no trim.
        for (var i = 0; i < 3; i++)
        {
            await registry.PushBlobAsync("mem/app", RandomBytes(3 * 1024 * 1024));
            time.Advance(Idle);
        }

        Assert.False(trimmed.IsCompleted, "trimmed while requests kept coming");

        // Then quiet: the next look trims (allocation since start is far above the threshold after 9 MiB of pushes).
        await WaitForTrimAsync(time, trimmed);

        var digest = await registry.PushBlobAsync("mem/app", RandomBytes(2 * 1024 * 1024));
        using var pulled = await server.Client.GetAsync($"v2/mem/app/blobs/{digest}");
        Assert.Equal(System.Net.HttpStatusCode.OK, pulled.StatusCode);
        Assert.Equal(2 * 1024 * 1024, (await pulled.Content.ReadAsByteArrayAsync()).Length);
    }

    /// <summary>Moves the clock one interval at a time until the trim reports (the trimmer's wait may start after any one move).</summary>
    private static async Task WaitForTrimAsync(FakeTimeProvider time, Task<long> trimmed)
    {
        for (var step = 0; step < 50 && !trimmed.IsCompleted; step++)
        {
            time.Advance(Idle);
            await Task.WhenAny(trimmed, Task.Delay(TimeSpan.FromMilliseconds(100), TimeProvider.System));
        }

        Assert.True(trimmed.IsCompleted, "no trim after a quiet interval");
    }

    private static byte[] RandomBytes(int size)
    {
        var bytes = new byte[size];
        Random.Shared.NextBytes(bytes);
        return bytes;
    }
}
