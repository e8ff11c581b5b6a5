namespace Wharf.Http.Health;

/// <summary>
/// Whether the server is draining (shutting down), and how many requests are in flight. Once draining, readiness
/// fails and new requests are refused; <see cref="WhenIdleAsync"/> tells the shutdown when the last request ended.
/// </summary>
public sealed class DrainState
{
    private readonly TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _inFlight;
    private long _started;
    private volatile bool _draining;

    public bool Draining => _draining;

    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>How many requests were admitted since start: unchanged over a while means the server was quiet.</summary>
    public long Started => Interlocked.Read(ref _started);

    /// <summary>Starts a request; false (and nothing counted) when draining, so the request must be refused.</summary>
    public bool TryEnter()
    {
        Interlocked.Increment(ref _inFlight);
        if (!_draining)
        {
            Interlocked.Increment(ref _started);
            return true;
        }

        Exit();
        return false;
    }

    public void Exit()
    {
        if (Interlocked.Decrement(ref _inFlight) == 0 && _draining)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>Stops admitting requests. Idempotent.</summary>
    public void BeginDrain()
    {
        _draining = true;
        if (Interlocked.Read(ref _inFlight) == 0)
        {
            _idle.TrySetResult();
        }
    }

    /// <summary>Completes once draining and no request is in flight.</summary>
    public Task WhenIdleAsync() => _idle.Task;
}
