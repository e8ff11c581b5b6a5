using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Services.Gc;
using Wharf.Hosting;
using Wharf.TestKit;

namespace Wharf.Bench.Gc;

/// <summary>
/// A real Wharf (Kestrel on 127.0.0.1, the wharf executable's wiring) in this process, with its collector worker off:
/// the bench runs collector cycles itself, on the registry's own <see cref="GarbageCollector"/>.
/// </summary>
public sealed class Registry : IAsyncDisposable
{
    public static readonly TimeSpan GracePeriod = TimeSpan.FromHours(1);

    private readonly WebApplication _app;
    private readonly string _data;
    private readonly ScaleOutBackend? _engines;

    private Registry(WebApplication app, Uri address, string data, ScaleOutBackend? engines, ShiftedClock clock)
    {
        _app = app;
        _data = data;
        _engines = engines;
        Address = address;
        Clock = clock;
    }

    public Uri Address { get; }

    public ShiftedClock Clock { get; }

    public IServiceProvider Services => _app.Services;

    public GarbageCollector Collector => _app.Services.GetRequiredService<GarbageCollector>();

    /// <summary>The collector's <c>Gc:BatchSize</c>, changed between settings (it reads the option at every batch).</summary>
    public int BatchSize
    {
        get => _app.Services.GetRequiredService<GcOptions>().BatchSize;
        set => _app.Services.GetRequiredService<GcOptions>().BatchSize = value;
    }

    /// <summary>Blobs the collector has deleted in this registry so far (its stored totals).</summary>
    public async Task<long> BlobsDeletedAsync() =>
        (await _app.Services.GetRequiredService<GcStatusReader>().ReadAsync(CancellationToken.None)).Totals.BlobsDeleted;

    /// <summary>Starts a registry on fresh data: filesystem + SQLite, or (<paramref name="engines"/>) a fresh slice of S3 + PostgreSQL.</summary>
    public static async Task<Registry> StartAsync(int batchSize, bool engines)
    {
        var data = Directory.CreateTempSubdirectory("wharf-bench-gc").FullName;
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Listen"] = "127.0.0.1:0",
            ["Data"] = data,
            ["Gc:Enabled"] = "false",
            ["Gc:GracePeriod"] = GracePeriod.ToString("c"),
            ["Gc:BatchSize"] = batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.Hosting.Lifetime"] = "Warning",
        };
        ScaleOutBackend? slice = null;
        if (engines)
        {
            slice = await ScaleOutBackend.CreateAsync();
            foreach (var (key, value) in slice.Settings)
            {
                settings[key] = value;
            }
        }

        var clock = new ShiftedClock();
        var app = WharfHost.Build(WharfConfiguration.Build(null, settings), clock);
        var address = await WharfHost.StartAsync(app);
        return new Registry(app, new Uri(address.GetLeftPart(UriPartial.Authority) + "/"), data, slice, clock);
    }

    /// <summary>Moves the registry's clock past the grace period: everything queued so far is due.</summary>
    public void PassGracePeriod() => Clock.Advance(GracePeriod + TimeSpan.FromMinutes(1));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_engines is not null)
        {
            await _engines.DisposeAsync();
        }

        Directory.Delete(_data, recursive: true);
    }
}
