using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Wharf.Core.Telemetry;

/// <summary>
/// Wharf's own instruments, on the meter named <see cref="MeterName"/>. Labels are low-cardinality and name no
/// repository, user or digest: the metrics are safe to expose to anyone who can reach the scrape endpoint.
/// </summary>
public sealed class WharfMetrics
{
    public const string MeterName = "Wharf";

    private static readonly double[] LatencyBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _bytesIn;
    private readonly Counter<long> _bytesOut;
    private readonly UpDownCounter<long> _uploadsInFlight;
    private readonly Histogram<double> _storageDuration;
    private readonly Counter<long> _storageErrors;
    private readonly Histogram<double> _metadataDuration;
    private readonly Counter<long> _metadataErrors;
    private readonly Counter<long> _logins;

    public WharfMetrics(IMeterFactory meters)
    {
        Meter = meters.Create(MeterName);
        var latency = new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets };
        _bytesIn = Meter.CreateCounter<long>("wharf.blob.bytes_in", "{byte}", "Blob bytes received and stored by uploads.");
        _bytesOut = Meter.CreateCounter<long>("wharf.blob.bytes_out", "{byte}", "Blob bytes sent by GET answers (200 and 206) this process streamed itself.");
        _uploadsInFlight = Meter.CreateUpDownCounter<long>("wharf.uploads.in_flight", "{request}", "Upload requests (POST, PATCH, PUT under /blobs/uploads) being received now.");
        _storageDuration = Meter.CreateHistogram("wharf.storage.operation.duration", "s", "Duration of storage driver operations.", advice: latency);
        _storageErrors = Meter.CreateCounter<long>("wharf.storage.operation.errors", "{error}", "Storage driver operations that failed.");
        _metadataDuration = Meter.CreateHistogram("wharf.metadata.operation.duration", "s", "Duration of metadata store operations on the request path.", advice: latency);
        _metadataErrors = Meter.CreateCounter<long>("wharf.metadata.operation.errors", "{error}", "Metadata store operations that failed.");
        _logins = Meter.CreateCounter<long>("wharf.auth.logins", "{login}", "Password or access-token sign-ins, by result: success, failure, throttled.");
    }

    /// <summary>The meter the instruments belong to; observable instruments elsewhere are created on it.</summary>
    public Meter Meter { get; }

    public void BlobBytesIn(long bytes) => _bytesIn.Add(bytes);

    public void BlobBytesOut(long bytes) => _bytesOut.Add(bytes);

    public void UploadStarted() => _uploadsInFlight.Add(1);

    public void UploadEnded() => _uploadsInFlight.Add(-1);

    public void Login(string result) => _logins.Add(1, new KeyValuePair<string, object?>("result", result));

    public void StorageOperation(string driver, string operation, long startedAt, Exception? error) =>
        Record(_storageDuration, _storageErrors, new TagList { { "driver", driver }, { "operation", operation } }, startedAt, error);

    public void MetadataOperation(string store, string operation, long startedAt, Exception? error) =>
        Record(_metadataDuration, _metadataErrors, new TagList { { "store", store }, { "operation", operation } }, startedAt, error);

    private static void Record(Histogram<double> duration, Counter<long> errors, TagList tags, long startedAt, Exception? error)
    {
        duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
        if (error is not null and not OperationCanceledException)
        {
            tags.Add("error.type", error.GetType().Name);
            errors.Add(1, tags);
        }
    }
}
