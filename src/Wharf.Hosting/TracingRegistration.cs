using Microsoft.Extensions.Options;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Instrumentation.AspNetCore;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Wharf.Core.Metadata;
using Wharf.Core.Storage;
using Wharf.Core.Telemetry;
using Wharf.Http.Telemetry;

namespace Wharf.Hosting;

/// <summary>
/// Wires tracing when the <c>Tracing</c> section turns it on: a tracer provider listening to Wharf's own spans, ASP.NET
/// Core's server spans, outgoing HTTP (the S3 driver's requests) and Npgsql's commands, exported over OTLP; and the
/// decorators that make a span of every storage and metadata call. Not called when tracing is off, so then nothing
/// listens and nothing is wrapped.
/// </summary>
public static class TracingRegistration
{
    /// <summary>The activity sources of the libraries Wharf uses that trace themselves.</summary>
    private static readonly string[] LibrarySources = ["System.Net.Http", "Npgsql"];

    /// <summary>
    /// Registers the tracer provider and wraps the storage driver and metadata stores in span decorators. Call after
    /// the backends (and the metrics decorators) are registered and before the metadata caches wrap them, so a cache
    /// hit makes no store span.
    /// </summary>
    public static void AddWharfTracing(this IServiceCollection services, TracingOptions options, string storageDriver)
    {
        MetricsRegistration.Decorate<IStorageDriver>(services, (_, inner) => new TracedStorageDriver(inner, storageDriver));
        MetricsRegistration.Decorate<IBlobIndex>(services, (_, inner) => new TracedBlobIndex(inner));
        MetricsRegistration.Decorate<IManifestReader>(services, (_, inner) => new TracedManifestReader(inner));
        MetricsRegistration.Decorate<IManifestWriter>(services, (_, inner) => new TracedManifestWriter(inner));
        MetricsRegistration.Decorate<IUploadSessionStore>(services, (_, inner) => new TracedUploadSessionStore(inner));

        // Every log line written inside a traced request carries its TraceId and SpanId in its scope.
        services.Configure<LoggerFactoryOptions>(o => o.ActivityTrackingOptions |= ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        services.AddOptions<AspNetCoreTraceInstrumentationOptions>().Configure<IOptions<MetricsOptions>>((aspNetCore, metrics) =>
        {
            var scrapePath = metrics.Value.Path;
            // Scrapes and probes arrive every few seconds and say nothing about the registry's work.
            aspNetCore.Filter = context => RouteFamily.Of(context.Request.Path.Value, scrapePath) is not (RouteFamily.Metrics or RouteFamily.Health);
            aspNetCore.EnrichWithHttpResponse = (span, response) => RequestSpan.Describe(span, response.HttpContext, scrapePath);
        });

        services.AddOpenTelemetry().WithTracing(tracing => tracing
            .ConfigureResource(resource => resource.AddService(options.ServiceName))
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(options.SampleRatio)))
            .AddSource(WharfTracing.SourceName)
            .AddSource(LibrarySources)
            .AddAspNetCoreInstrumentation()
            .AddProcessor(_ => BatchExport(options)));
    }

    /// <summary>
    /// The OTLP exporter behind a batching processor. Both option objects start from the standard environment variables
    /// (<c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_EXPORTER_OTLP_TIMEOUT</c>, <c>OTEL_BSP_*</c>); the <c>Tracing</c>
    /// section's endpoint, protocol and (when given) headers win over them.
    /// </summary>
    private static BatchActivityExportProcessor BatchExport(TracingOptions options)
    {
        var otlp = new OtlpExporterOptions
        {
            Protocol = options.Protocol == TracingOptions.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf,
        };
        otlp.Endpoint = options.ExportUri();
        if (options.Headers.Count > 0)
        {
            otlp.Headers = string.Join(',', options.Headers.Select(h => $"{h.Key}={h.Value}"));
        }

        var batch = new BatchExportActivityProcessorOptions();
        return new BatchActivityExportProcessor(
            new OtlpTraceExporter(otlp), batch.MaxQueueSize, batch.ScheduledDelayMilliseconds, batch.ExporterTimeoutMilliseconds, batch.MaxExportBatchSize);
    }
}
