using System.Collections.Concurrent;
using System.Text;

namespace Wharf.Hosting.Logging;

/// <summary>
/// Writes formatted log lines to a text writer (standard output) from one thread of its own, as many as have queued
/// in one write. Console logging that wakes its writer for every line and writes each alone spent more of a manifest
/// GET's CPU than the GET (measured: 29 % of the server's CPU per request, most of it the per-line wake-ups).
/// </summary>
/// <remarks>
/// After a write the thread waits <see cref="Gather"/> before it looks again, so that under load a write carries the
/// lines of that millisecond and callers rarely wake it; an idle writer is woken by the next line at once. At most
/// <see cref="MaxQueued"/> lines wait: beyond that a caller waits for room, as the framework's console logger does
/// by default, rather than growing memory or dropping lines. <see cref="Dispose"/> and the process's exit write
/// what is queued.
/// </remarks>
internal sealed class ConsoleLineWriter : IDisposable
{
    internal const int MaxQueued = 10_000;
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(1);

    private readonly TextWriter _output;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Lock _writing = new();
    private readonly StringBuilder _batch = new();
    private readonly Thread _thread;
    private int _queued;
    private int _idle;
    private volatile bool _stopping;

    public ConsoleLineWriter(TextWriter output)
    {
        _output = output;
        _thread = new Thread(Run) { IsBackground = true, Name = "Wharf log writer" };
        _thread.Start();
        AppDomain.CurrentDomain.ProcessExit += OnProcessExit;
    }

    /// <summary>Queues one formatted line (with its line ending); once the writer has stopped, writes it at once.</summary>
    public void Add(string line)
    {
        while (Volatile.Read(ref _queued) >= MaxQueued && !_stopping)
        {
            Thread.Sleep(1);
        }

        _lines.Enqueue(line);
        Interlocked.Increment(ref _queued);
        if (_stopping)
        {
            WriteQueued(); // the writer's thread is gone, or its last look may have missed this line
        }
        else if (Volatile.Read(ref _idle) == 1)
        {
            _wake.Set();
        }
    }

    /// <remarks>
    /// The wake-up event is left to the collector: a line queued while the writer stops may still set it, and a
    /// logging call must never throw.
    /// </remarks>
    public void Dispose()
    {
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        Stop();
    }

    private void OnProcessExit(object? sender, EventArgs e) => Stop();

    private void Stop()
    {
        if (_stopping)
        {
            return;
        }

        _stopping = true;
        _wake.Set();
        _thread.Join(TimeSpan.FromSeconds(2));
        WriteQueued();
    }

    private void Run()
    {
        while (!_stopping)
        {
            if (WriteQueued())
            {
                Thread.Sleep(Gather);
                continue;
            }

            // Idle: say so before the last look, so that a line queued after that look finds the flag and wakes us.
            Interlocked.Exchange(ref _idle, 1);
            if (_lines.IsEmpty && !_stopping)
            {
                _wake.Wait();
            }

            _wake.Reset();
            Interlocked.Exchange(ref _idle, 0);
        }
    }

    /// <summary>Writes every queued line in one write; whether there was any.</summary>
    private bool WriteQueued()
    {
        lock (_writing)
        {
            while (_lines.TryDequeue(out var line))
            {
                Interlocked.Decrement(ref _queued);
                _batch.Append(line);
            }

            if (_batch.Length == 0)
            {
                return false;
            }

            try
            {
                _output.Write(_batch);
                _output.Flush();
            }
            catch (IOException)
            {
                // Standard output closed or broken: the lines have nowhere to go, as with the framework's console logger.
            }
            catch (ObjectDisposedException)
            {
            }

            _batch.Clear();
            if (_batch.Capacity > 1 << 20)
            {
                _batch.Capacity = 1 << 16;
            }

            return true;
        }
    }
}
