using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Mirror;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.IntegrationTests.Mirror;

/// <summary>The upstream of the cache tests: Distribution 2.8.2 behind a relay the tests can cut, and a client that seeds it directly.</summary>
public sealed class CachedUpstream : IAsyncDisposable
{
    private CachedUpstream(DistributionRegistry registry)
    {
        Registry = registry;
        Relay = new GatedRelay(registry.BaseAddress);
        Seed = new HttpClient { BaseAddress = registry.BaseAddress };
    }

    public DistributionRegistry Registry { get; }

    public GatedRelay Relay { get; }

    public HttpClient Seed { get; }

    public static async Task<CachedUpstream> StartAsync() => new(await DistributionRegistry.StartAsync());

    /// <summary>Waits until the cache's fetches are stored: a client gets a fetched blob's last byte once its digest verified, while the store's commit may still be running.</summary>
    public static Task FetchesStoredAsync(WharfTestServer wharf) =>
        wharf.Services.GetRequiredService<PullThroughCache>().WaitForFetchesAsync(CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(1));

    /// <summary>Starts a Wharf whose <c>hub</c> prefix caches this upstream (through the relay), with <paramref name="extra"/> settings on top.</summary>
    public Task<WharfTestServer> StartCacheAsync(TimeProvider time, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Mirror:Upstreams:0:Prefix"] = "hub",
            ["Mirror:Upstreams:0:Url"] = Relay.Url.ToString(),
            ["Mirror:Upstreams:0:LibraryPrefix"] = "true",
            ["Mirror:Upstreams:0:Timeout"] = "00:00:05",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return WharfTestServer.StartAsync(settings, time);
    }

    public async ValueTask DisposeAsync()
    {
        Seed.Dispose();
        await Relay.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
