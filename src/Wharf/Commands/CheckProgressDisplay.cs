using System.Globalization;
using Wharf.Core.Metadata;
using Wharf.Core.Services.Maintenance;

namespace Wharf.Commands;

/// <summary>
/// Shows how far <c>wharf check</c> has got through <see cref="ConsoleProgress"/> (a bar redrawn in place on a terminal,
/// plain lines every few seconds otherwise), at most every <see cref="RedrawInterval"/>; problems go to
/// <paramref name="output"/> (stdout) as they are found, each on a line of its own.
/// </summary>
public sealed class CheckProgressDisplay(TextWriter output, ConsoleProgress progress, TimeProvider time) : ICheckObserver
{
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);

    private readonly Lock _lock = new();
    private long _total;
    private long _done;
    private long _bytes;
    private DateTimeOffset _lastShown;

    public void BlobsStarting(long blobs, long? bytes)
    {
        lock (_lock)
        {
            (_total, _lastShown) = (blobs, time.GetUtcNow());
            progress.Report($"checking {blobs} blobs{(bytes is { } b ? " (" + Bytes(b) + ")" : "")}");
        }
    }

    public void BlobChecked(BlobInfo blob)
    {
        lock (_lock)
        {
            _done++;
            _bytes += blob.Size;
            var now = time.GetUtcNow();
            if (now - _lastShown >= RedrawInterval || _done == _total)
            {
                _lastShown = now;
                progress.Report("blobs, " + Bytes(_bytes), _done, _total);
            }
        }
    }

    public void ProblemFound(CheckProblem problem)
    {
        lock (_lock)
        {
            progress.Done();
            output.WriteLine("problem: " + problem);
            output.Flush();
        }
    }

    public void BlobsDone()
    {
        lock (_lock)
        {
            progress.Done();
        }
    }

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1L << 30 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 30):0.0} GiB"),
        >= 1L << 20 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (double)(1L << 20):0.0} MiB"),
        >= 1L << 10 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes} B"),
    };
}
