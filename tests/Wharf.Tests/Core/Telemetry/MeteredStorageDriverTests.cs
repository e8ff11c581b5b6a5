using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.Storage.FileSystem;
using Wharf.Storage.S3;
using Wharf.TestKit;
using Wharf.Tests.Core.Services.Layers;

namespace Wharf.Tests.Core.Telemetry;

/// <summary>
/// Capabilities are asked of the driver, never found by type: a decorated S3 driver still offers its fast paths (direct
/// content writes, the janitor's cleanup), and its operations are timed and their failures counted.
/// </summary>
public sealed class MeteredStorageDriverTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly TempDirectory _temp = new("wharf-metered");

    private WharfMetrics Metrics => new(_services.GetRequiredService<IMeterFactory>());

    public void Dispose()
    {
        _services.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public void A_decorated_S3_driver_keeps_its_fast_path_capabilities()
    {
        using var s3 = new S3Driver(new S3StorageOptions { Endpoint = "http://127.0.0.1:1", Bucket = "b", AccessKey = "a", SecretKey = "s" }, TimeProvider.System);
        IStorageDriver decorated = new CountingStorageDriver(new MeteredStorageDriver(s3, "s3", Metrics));

        Assert.Same(s3, decorated.GetCapability<IContentAddressedWrites>());
        Assert.Same(s3, decorated.GetCapability<IStorageCleanup>());
        Assert.False(decorated is IContentAddressedWrites); // What an `is` check would have seen: the fast path gone.
    }

    [Fact]
    public void A_decorated_file_system_driver_has_no_capability_it_lacks()
    {
        IStorageDriver decorated = new MeteredStorageDriver(new FileSystemDriver(_temp.Path), "filesystem", Metrics);

        Assert.Null(decorated.GetCapability<IContentAddressedWrites>());
        Assert.Null(decorated.GetCapability<IStorageCleanup>());
    }

    [Fact]
    public async Task Operations_are_timed_and_failures_counted_by_operation_and_driver()
    {
        var metrics = Metrics;
        var durations = new List<(string Operation, string Driver)>();
        var errors = new List<(string Operation, string Error)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter == metrics.Meter)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "wharf.storage.operation.duration")
            {
                durations.Add((Tag(tags, "operation"), Tag(tags, "driver")));
            }
        });
        listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) =>
        {
            if (instrument.Name == "wharf.storage.operation.errors")
            {
                errors.Add((Tag(tags, "operation"), Tag(tags, "error.type")));
            }
        });
        listener.Start();
        IStorageDriver driver = new MeteredStorageDriver(new FileSystemDriver(_temp.Path), "filesystem", metrics);

        Assert.Null(await driver.StatAsync("blobs/none", CancellationToken.None));
        await Assert.ThrowsAnyAsync<Exception>(async () => await driver.MoveAsync("uploads/none", "blobs/x", CancellationToken.None));

        Assert.Equal([("stat", "filesystem"), ("move", "filesystem")], durations);
        var error = Assert.Single(errors);
        Assert.Equal("move", error.Operation);
        Assert.NotEmpty(error.Error);
    }

    private static string Tag(ReadOnlySpan<KeyValuePair<string, object?>> tags, string name)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == name)
            {
                return (string)tag.Value!;
            }
        }

        return "";
    }
}
