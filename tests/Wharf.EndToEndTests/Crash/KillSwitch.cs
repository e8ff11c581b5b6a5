using System.Diagnostics;

namespace Wharf.EndToEndTests.Crash;

/// <summary>
/// One cycle's SIGKILL, aimed at <see cref="Target"/>: clients report the phases they reach, and the first report of the
/// target kills the server there (after a short random jitter for phases where the server is working on its own).
/// </summary>
internal sealed class KillSwitch(Func<Task> kill, CrashPhase target, int seed)
{
    private readonly TaskCompletionSource<CrashPhase> _fired = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Random _jitter = new(seed);
    private int _claimed;

    public CrashPhase Target => target;

    /// <summary>Completes (with the phase it landed in) once the server is dead.</summary>
    public Task<CrashPhase> Fired => _fired.Task;

    /// <summary>True from the moment the kill is decided: requests failing from then on failed because of it.</summary>
    public bool HasFired => Volatile.Read(ref _claimed) == 1;

    /// <summary>A client is in the middle of sending a body: kills now when this is the target, and returns once the server is gone.</summary>
    public Task HoldingAsync(CrashPhase phase) => phase == target ? FireAsync(phase, 0) : Task.CompletedTask;

    /// <summary>A client has sent a request of <paramref name="phase"/>: kills soon after, without holding the client back.</summary>
    public void Sent(CrashPhase phase)
    {
        if (phase == target)
        {
            int micros;
            lock (_jitter)
            {
                micros = _jitter.Next(4) == 0 ? 0 : _jitter.Next(8000);
            }

            _ = FireAsync(phase, micros);
        }
    }

    /// <summary>Kills now, whatever the clients do (the random-moment and collector phases, and the fallback).</summary>
    public Task FireAsync(CrashPhase phase, int jitterMicroseconds)
    {
        if (Interlocked.Exchange(ref _claimed, 1) == 1)
        {
            return _fired.Task;
        }

        return Task.Run(async () =>
        {
            if (jitterMicroseconds > 0)
            {
                var until = Stopwatch.GetTimestamp() + (jitterMicroseconds * Stopwatch.Frequency / 1_000_000);
                while (Stopwatch.GetTimestamp() < until)
                {
                    Thread.SpinWait(50);
                }
            }

            await kill();
            _fired.TrySetResult(phase);
        });
    }
}
