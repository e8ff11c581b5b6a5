namespace Wharf.Core.Events;

/// <summary>
/// Who caused a change and through which request, as events report it. The HTTP pipeline (or a background job)
/// makes one current for the work it does with <see cref="Use"/>; the stores read it when they write an event.
/// </summary>
/// <param name="Actor">The user or robot name, a job's name (<c>retention</c>), or "" for anonymous callers.</param>
/// <param name="BaseUrl">The registry's address as the caller used it (<c>https://registry.example.com</c>), for event URLs.</param>
public sealed record EventOrigin(string Actor, string? RequestId, string? ClientAddress, string? Host, string? Method, string? UserAgent, string? BaseUrl)
{
    private static readonly AsyncLocal<Func<EventOrigin>?> CurrentSource = new();

    /// <summary>The origin of the work under way, or null outside any request or job.</summary>
    public static EventOrigin? Current => CurrentSource.Value?.Invoke();

    /// <summary>Makes <paramref name="origin"/> (read only when an event is written) current until the result is disposed.</summary>
    public static IDisposable Use(Func<EventOrigin> origin)
    {
        var previous = CurrentSource.Value;
        CurrentSource.Value = origin;
        return new Restore(previous);
    }

    private sealed class Restore(Func<EventOrigin>? previous) : IDisposable
    {
        public void Dispose() => CurrentSource.Value = previous;
    }
}
