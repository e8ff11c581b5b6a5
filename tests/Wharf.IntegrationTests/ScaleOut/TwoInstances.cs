using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>Two Wharf instances on different ports sharing one bucket prefix and one database schema.</summary>
internal sealed class TwoInstances : IAsyncDisposable
{
    private TwoInstances(ScaleOutBackend backend, WharfTestServer a, WharfTestServer b)
    {
        Backend = backend;
        A = new Registry(a);
        B = new Registry(b);
    }

    public ScaleOutBackend Backend { get; }

    public Registry A { get; }

    public Registry B { get; }

    public static async Task<TwoInstances> StartAsync(params (string Key, string Value)[] extra)
    {
        var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        var a = await WharfTestServer.StartAsync(settings);
        var b = await WharfTestServer.StartAsync(settings);
        return new TwoInstances(backend, a, b);
    }

    public async ValueTask DisposeAsync()
    {
        await A.Server.DisposeAsync();
        await B.Server.DisposeAsync();
        await Backend.DisposeAsync();
    }
}
