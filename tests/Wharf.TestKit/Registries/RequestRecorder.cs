using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Wharf.TestKit.Registries;

/// <summary>One line of Wharf's request log: what was asked and what Wharf answered (Bytes: the body it sent, 0 for none).</summary>
public sealed record LoggedRequest(string Method, string Path, int Status, long Bytes);

/// <summary>
/// Keeps every request an in-process Wharf logged (its request log, event 2100), so that tests can check how a real
/// client's requests were answered: for example that blob GETs were redirected and Wharf sent no blob bytes itself.
/// </summary>
public sealed class RequestRecorder : ILoggerProvider
{
    /// <summary>The event id of <c>RequestLogMiddleware</c>'s one line per request.</summary>
    public const int RequestLogEvent = 2100;

    private readonly ConcurrentQueue<LoggedRequest> _requests = new();

    public ILogger CreateLogger(string categoryName) => new Recorder(this);

    /// <summary>Everything recorded so far, in the order the requests finished.</summary>
    public IReadOnlyList<LoggedRequest> All => [.. _requests];

    /// <summary>A position to pass to <see cref="Since"/>.</summary>
    public int Mark() => _requests.Count;

    /// <summary>The requests that finished after <paramref name="mark"/> was taken.</summary>
    public IReadOnlyList<LoggedRequest> Since(int mark) => [.. _requests.Skip(mark)];

    public void Dispose()
    {
    }

    private sealed class Recorder(RequestRecorder owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id != RequestLogEvent || state is not IReadOnlyList<KeyValuePair<string, object?>> fields)
            {
                return;
            }

            object? Field(string name) => fields.FirstOrDefault(f => f.Key == name).Value;
            owner._requests.Enqueue(new LoggedRequest(
                Field("Method") as string ?? "",
                Field("Path") as string ?? "",
                Convert.ToInt32(Field("Status"), System.Globalization.CultureInfo.InvariantCulture),
                Convert.ToInt64(Field("Bytes"), System.Globalization.CultureInfo.InvariantCulture)));
        }
    }
}
