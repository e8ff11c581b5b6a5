using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;
using Wharf.Tests.Core.Telemetry;

namespace Wharf.Tests.Storage.FileSystem;

/// <summary>The whole storage contract through the span decorator, with a listener recording: tracing changes nothing a caller can see.</summary>
public sealed class TracedFileSystemDriverTests : StorageDriverContract
{
    private TempDirectory? _temp;
    private SpanRecorder? _recorder;

    private string Root => Path.Combine(_temp!.Path, "root");

    protected override Task<IStorageDriver> CreateDriverAsync()
    {
        _temp = new TempDirectory("wharf-fs-traced");
        _recorder = new SpanRecorder();
        return Task.FromResult<IStorageDriver>(new TracedStorageDriver(new FileSystemDriver(Root), "filesystem"));
    }

    protected override Task DestroyDriverAsync()
    {
        _recorder?.Dispose();
        _temp?.Dispose();
        return Task.CompletedTask;
    }

    protected override IReadOnlyCollection<string>? AllObjects() =>
        [.. Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))];
}
