using System.Runtime;
using System.Runtime.InteropServices;
using Wharf.Core.Services;
using Wharf.Http.Health;
using Wharf.Http.Transport;

namespace Wharf.Hosting;

/// <summary>
/// Hands memory back to the system once a burst of work is over (docs/design/memory.md). Every
/// <c>Memory:TrimAfterIdle</c> it looks at the requests admitted since its last look: none, none in flight, and at
/// least <see cref="WorkSinceTrim"/> allocated since the last trim (so that health probes alone never cause one), and
/// it lets go of the pooled upload and socket buffers, runs a full compacting collection that decommits free memory,
/// and asks the C allocator to release its free pages. A trim costs a few milliseconds of one core.
/// </summary>
public sealed partial class MemoryTrimmer(
    DrainState requests, MemoryOptions options, LargeBlockMemoryPoolFactory socketBuffers, TimeProvider time, ILogger<MemoryTrimmer> logger) : BackgroundService
{
    /// <summary>Bytes allocated since the last trim below which there is nothing worth trimming.</summary>
    public const long WorkSinceTrim = 4 * 1024 * 1024;

    private TaskCompletionSource<long> _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes with the committed bytes handed back when the next trim has run.</summary>
    public Task<long> NextTrimAsync() => Volatile.Read(ref _next).Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.TrimAfterIdle <= TimeSpan.Zero)
        {
            return;
        }

        var seen = requests.Started;
        var allocatedAtTrim = GC.GetTotalAllocatedBytes();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(options.TrimAfterIdle, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var started = requests.Started;
            var quiet = started == seen && requests.InFlight == 0;
            seen = started;
            if (quiet && GC.GetTotalAllocatedBytes() - allocatedAtTrim >= WorkSinceTrim)
            {
                var released = Trim();
                allocatedAtTrim = GC.GetTotalAllocatedBytes();
                LogTrimmed(logger, released / (1024 * 1024));
                Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(released);
            }
        }
    }

    /// <summary>Lets go of idle buffers and returns free memory to the system; the collector's committed bytes handed back.</summary>
    public long Trim()
    {
        var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
        BodyCopier.Trim();
        Wharf.Storage.FileSystem.FileSystemDriver.TrimIdleBuffers();
        socketBuffers.Trim();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Release();
        return Math.Max(0, before - GC.GetGCMemoryInfo().TotalCommittedBytes);
    }

    [LoggerMessage(EventId = 3401, Level = LogLevel.Debug, Message = "Idle: handed {MiB} MiB of memory back to the system")]
    private static partial void LogTrimmed(ILogger logger, long mib);
}

/// <summary>The C allocator's free pages (SQLite's, the runtime's own), returned to the system where glibc can.</summary>
internal static partial class NativeHeap
{
    public static void Release()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        try
        {
            MallocTrim(0);
        }
        catch (EntryPointNotFoundException)
        {
            // Not glibc (musl has no malloc_trim): nothing to ask.
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
