using System.Globalization;
using Wharf.Core.Metadata;
using Wharf.Core.Services.Maintenance;

namespace Wharf.Commands;

/// <summary>
/// Shows how far <c>wharf check</c> has got, on stderr: a progress bar redrawn in place when stderr is a terminal, plain
/// lines every <see cref="LineInterval"/> otherwise (logs, CI). Problems go to stdout as they are found.
/// </summary>
public sealed class CheckProgressDisplay(TextWriter output, TextWriter progress, bool terminal, TimeProvider time) : ICheckObserver
{
    public static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private const int BarWidth = 30;

    private readonly Lock _lock = new();
    private long _total;
    private long? _totalBytes;
    private long _done;
    private long _bytes;
    private DateTimeOffset _lastShown;
    private bool _barShown;

    public void BlobsStarting(long blobs, long? bytes)
    {
        lock (_lock)
        {
            (_total, _totalBytes, _lastShown) = (blobs, bytes, time.GetUtcNow());
            if (!terminal)
            {
                progress.WriteLine($"checking {blobs} blobs{(bytes is { } b ? " (" + Bytes(b) + ")" : "")}");
            }
        }
    }

    public void BlobChecked(BlobInfo blob)
    {
        lock (_lock)
        {
            _done++;
            _bytes += blob.Size;
            var now = time.GetUtcNow();
            if (now - _lastShown >= (terminal ? RedrawInterval : LineInterval))
            {
                _lastShown = now;
                Show();
            }
        }
    }

    public void ProblemFound(CheckProblem problem)
    {
        lock (_lock)
        {
            ClearBar();
            output.WriteLine("problem: " + problem);
            output.Flush();
        }
    }

    public void BlobsDone()
    {
        lock (_lock)
        {
            if (terminal)
            {
                Show();
                progress.WriteLine();
                _barShown = false;
            }
            else
            {
                Show();
            }
        }
    }

    private void Show()
    {
        var share = _total == 0 ? 1.0 : (double)_done / _total;
        var counts = string.Create(CultureInfo.InvariantCulture, $"{_done}/{_total} blobs, {Bytes(_bytes)}{(_totalBytes is { } t ? " of " + Bytes(t) : "")}");
        if (terminal)
        {
            var filled = (int)Math.Round(share * BarWidth);
            progress.Write(string.Create(CultureInfo.InvariantCulture, $"\r\u001b[Kchecking blobs [{new string('#', filled)}{new string('.', BarWidth - filled)}] {share * 100:0}% {counts}"));
            _barShown = true;
        }
        else
        {
            progress.WriteLine(string.Create(CultureInfo.InvariantCulture, $"checked {counts} ({share * 100:0}%)"));
        }

        progress.Flush();
    }

    private void ClearBar()
    {
        if (_barShown)
        {
            progress.Write("\r\u001b[K");
            progress.Flush();
            _barShown = false;
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
