namespace Wharf.Commands;

/// <summary>
/// Progress on stderr: one line redrawn in place on a terminal (with a bar when the total is known), plain lines at
/// most every few seconds otherwise, so logs stay short.
/// </summary>
public sealed class ConsoleProgress(TimeProvider time, TextWriter error, bool terminal)
{
    public static readonly TimeSpan LineInterval = TimeSpan.FromSeconds(5);

    /// <summary>On a terminal, the line is redrawn at most this often (and always at the end): a bar per object would flood it.</summary>
    public static readonly TimeSpan RedrawInterval = TimeSpan.FromMilliseconds(100);
    private const int BarWidth = 30;
    private readonly bool _terminal = terminal;
    private DateTimeOffset _lastLine = DateTimeOffset.MinValue;
    private int _drawn;

    /// <summary>Progress on the process's stderr, redrawn in place when it is a terminal.</summary>
    public ConsoleProgress(TimeProvider time)
        : this(time, Console.Error, !Console.IsErrorRedirected)
    {
    }

    /// <summary>A message without a known total.</summary>
    public void Report(string message) => Write(message, force: false);

    /// <summary><paramref name="done"/> of <paramref name="total"/> things, with a bar on a terminal.</summary>
    public void Report(string what, long done, long total)
    {
        var fraction = total <= 0 ? 1 : Math.Clamp((double)done / total, 0, 1);
        var filled = (int)Math.Round(fraction * BarWidth);
        var bar = _terminal ? "[" + new string('#', filled) + new string('.', BarWidth - filled) + "] " : "";
        Write($"{bar}{done}/{total} {what} ({fraction:P0})", force: done >= total);
    }

    /// <summary>Ends the line being redrawn, so that what follows starts on a line of its own.</summary>
    public void Done()
    {
        if (_terminal && _drawn > 0)
        {
            error.WriteLine();
            _drawn = 0;
        }
    }

    private void Write(string line, bool force)
    {
        var now = time.GetUtcNow();
        if (_terminal)
        {
            if (force || now - _lastLine >= RedrawInterval)
            {
                _lastLine = now;
                error.Write("\r" + line.PadRight(_drawn));
                _drawn = line.Length;
            }

            return;
        }

        if (force || now - _lastLine >= LineInterval)
        {
            _lastLine = now;
            error.WriteLine(line);
        }
    }
}
