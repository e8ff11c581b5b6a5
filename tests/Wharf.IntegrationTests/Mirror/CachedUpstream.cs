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

    public async ValueTask DisposeAsync()
    {
        Seed.Dispose();
        await Relay.DisposeAsync();
        await Registry.DisposeAsync();
    }
}
