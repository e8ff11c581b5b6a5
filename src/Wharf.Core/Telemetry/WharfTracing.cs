using System.Diagnostics;

namespace Wharf.Core.Telemetry;

/// <summary>
/// Wharf's own spans, on the activity source named <see cref="SourceName"/>: one per storage driver or metadata store
/// call made by the <c>Traced*</c> decorators, which the host registers only when tracing is on. Span names are fixed
/// strings (<c>storage.stat</c>, <c>metadata.blobs.get</c>): repositories, digests and paths are attributes, never names.
/// </summary>
public static class WharfTracing
{
    public const string SourceName = "Wharf";

    /// <summary>The source every Wharf span starts from. With no listener (tracing off) it starts nothing.</summary>
    public static ActivitySource Source { get; } = new(SourceName);

    /// <summary>A span for one storage driver call; null when no listener samples it.</summary>
    public static Activity? StartStorage(string name, string driver, string path)
    {
        var span = Source.StartActivity(name, ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("wharf.storage.driver", driver);
            span.SetTag("wharf.storage.path", path);
        }

        return span;
    }

    /// <summary>A span for one metadata store call; null when no listener samples it.</summary>
    public static Activity? StartMetadata(string name, string store, string? repository = null, string? reference = null)
    {
        var span = Source.StartActivity(name, ActivityKind.Internal);
        if (span is { IsAllDataRequested: true })
        {
            span.SetTag("wharf.metadata.store", store);
            if (repository is not null)
            {
                span.SetTag("wharf.repository", repository);
            }

            if (reference is not null)
            {
                span.SetTag("wharf.reference", reference);
            }
        }

        return span;
    }

    /// <summary>
    /// Marks <paramref name="span"/> failed with <paramref name="error"/> (its type as <c>error.type</c>, and an
    /// exception event). A cancelled call is not a failure. Always false, to be used as an exception filter that
    /// records without catching: <c>catch (Exception e) when (WharfTracing.Failed(span, e))</c>.
    /// </summary>
    public static bool Failed(Activity? span, Exception error)
    {
        if (span is not null && error is not OperationCanceledException)
        {
            span.SetStatus(ActivityStatusCode.Error, error.Message);
            span.SetTag("error.type", error.GetType().FullName);
            span.AddException(error);
        }

        return false;
    }
}
