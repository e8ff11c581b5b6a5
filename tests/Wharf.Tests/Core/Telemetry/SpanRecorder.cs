using System.Collections.Concurrent;
using System.Diagnostics;
using Wharf.Core.Telemetry;

namespace Wharf.Tests.Core.Telemetry;

/// <summary>
/// Listens to Wharf's activity source and keeps the spans started under its own root span only, so spans made by
/// tests running at the same time are not mixed in. Code under test runs inside <see cref="Root"/>'s scope.
/// </summary>
public sealed class SpanRecorder : IDisposable
{
    private static readonly ActivitySource TestSource = new("Wharf.Tests.SpanRecorder");
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _spans = new();

    public SpanRecorder()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is WharfTracing.SourceName or "Wharf.Tests.SpanRecorder",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = span =>
            {
                if (Root is not null && span != Root && span.TraceId == Root.TraceId)
                {
                    _spans.Enqueue(span);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
        Root = TestSource.StartActivity("test root");
    }

    /// <summary>The root of the spans this recorder keeps; it is the current activity of the test from construction on.</summary>
    public Activity? Root { get; }

    /// <summary>The spans stopped so far, in the order they stopped.</summary>
    public IReadOnlyList<Activity> Spans => [.. _spans];

    public void Dispose()
    {
        Root?.Dispose();
        _listener.Dispose();
    }
}
