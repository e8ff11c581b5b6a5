using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.FileSystem;

/// <summary>The whole storage contract through the timing decorator: measuring changes nothing a caller can see.</summary>
public sealed class MeteredFileSystemDriverTests : StorageDriverContract
{
    private TempDirectory? _temp;
    private ServiceProvider? _services;

    private string Root => Path.Combine(_temp!.Path, "root");

    protected override Task<IStorageDriver> CreateDriverAsync()
    {
        _temp = new TempDirectory("wharf-fs-metered");
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new WharfMetrics(_services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        return Task.FromResult<IStorageDriver>(new MeteredStorageDriver(new FileSystemDriver(Root), "filesystem", metrics));
    }

    protected override async Task DestroyDriverAsync()
    {
        _temp?.Dispose();
        if (_services is not null)
        {
            await _services.DisposeAsync();
        }
    }

    protected override IReadOnlyCollection<string>? AllObjects() =>
        [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))];
}
