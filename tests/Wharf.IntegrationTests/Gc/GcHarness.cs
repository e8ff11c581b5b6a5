using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Protocol;
using Wharf.Core.Services.Gc;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Gc;

/// <summary>A server whose collector runs only when a test says so, on a fake clock.</summary>
public sealed class GcHarness : IAsyncDisposable
{
    private GcHarness(WharfTestServer server, FakeTimeProvider time)
    {
        Server = server;
        Time = time;
        Registry = new Registry(server);
    }

    public WharfTestServer Server { get; }

    public FakeTimeProvider Time { get; }

    public Registry Registry { get; }

    public static async Task<GcHarness> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var all = new Dictionary<string, string?> { ["Gc:Enabled"] = "false" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return new GcHarness(await WharfTestServer.StartAsync(all, time), time);
    }

    public Task<GcCycleResult> CollectAsync() =>
        Server.Services.GetRequiredService<GarbageCollector>().RunCycleAsync(CancellationToken.None).AsTask();

    /// <summary>Twice: moves the clock past the default grace period (24 h) and collects: links go in the first, their blobs in the second.</summary>
    public async Task<GcCycleResult> CollectAfterTwoGracePeriodsAsync()
    {
        var first = await CollectAfterGraceAsync();
        var second = await CollectAfterGraceAsync();
        return new GcCycleResult(
            first.ManifestsDeleted + second.ManifestsDeleted, first.LinksDeleted + second.LinksDeleted, first.BlobsDeleted + second.BlobsDeleted,
            first.BytesReclaimed + second.BytesReclaimed, first.OrphansDeleted + second.OrphansDeleted);
    }

    /// <summary>Moves the clock past the default grace period (24 h) and collects.</summary>
    public Task<GcCycleResult> CollectAfterGraceAsync()
    {
        Time.Advance(TimeSpan.FromHours(25));
        return CollectAsync();
    }

    /// <summary>Whether storage holds the blob's bytes (any driver).</summary>
    public async Task<bool> StoredAsync(string digest) =>
        await Server.Services.GetRequiredService<IStorageDriver>().StatAsync(StorageLayout.Blob(Digest.Parse(digest)), CancellationToken.None) is not null;

    public async Task<JsonElement> GcStatusAsync()
    {
        using var response = await Server.Client.GetAsync("/api/gc");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
