using System.Diagnostics;
using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.Http;
using Wharf.Core.Telemetry;

namespace Wharf.Http.Telemetry;

/// <summary>
/// The request instruments under the OpenTelemetry HTTP server names: <c>http.server.request.duration</c> labelled by
/// route family, method and status (and <c>error.type</c> when a request fails with an exception), and
/// <c>http.server.active_requests</c> by method and scheme. Wharf records them itself instead of ASP.NET Core's
/// hosting instruments: three labels instead of six, and the active requests as plain counters read at the scrape
/// (README, Performance: "Request metrics recorded by Wharf").
/// </summary>
public sealed class HttpServerMetrics
{
    /// <summary>ASP.NET Core's meter for the hosting instruments these replace (dropped by a view).</summary>
    public const string AspNetCoreHostingMeter = "Microsoft.AspNetCore.Hosting";

    /// <summary>The methods labelled by name; any other is <c>_OTHER</c>, so a client cannot mint label values.</summary>
    private static readonly string[] Methods =
        [HttpMethods.Get, HttpMethods.Head, HttpMethods.Put, HttpMethods.Post, HttpMethods.Patch, HttpMethods.Delete, HttpMethods.Options, HttpMethods.Connect, HttpMethods.Trace, "_OTHER"];

    private static readonly double[] DurationBuckets = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

    /// <summary>Status codes boxed once: a label value is an object, and boxing one per request would allocate.</summary>
    private static readonly object[] StatusCodes = [.. Enumerable.Range(0, 600).Select(code => (object)code)];

    private readonly Histogram<double> _duration;
    private readonly long[] _active = new long[Methods.Length * 2]; // [method, scheme]: http, then https
    private readonly bool[] _seen = new bool[Methods.Length * 2];

    public HttpServerMetrics(WharfMetrics metrics)
    {
        var meter = metrics.Meter;
        _duration = meter.CreateHistogram(
            "http.server.request.duration", "s", "Duration of HTTP server requests.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableUpDownCounter("http.server.active_requests", ObserveActive, "{request}", "Number of active HTTP server requests.");
    }

    /// <summary>Counts a request as active; hand the slot back to <see cref="Ended"/>.</summary>
    public int Started(HttpRequest request)
    {
        var slot = (MethodIndex(request.Method) * 2) + (request.IsHttps ? 1 : 0);
        if (!_seen[slot])
        {
            _seen[slot] = true;
        }

        Interlocked.Increment(ref _active[slot]);
        return slot;
    }

    /// <summary>Ends an active request and records its duration under its family, method and status.</summary>
    public void Ended(int slot, string family, int status, long startedAt, Exception? failure)
    {
        Interlocked.Decrement(ref _active[slot]);
        var tags = new TagList
        {
            { "wharf.route_family", family },
            { "http.request.method", Methods[slot / 2] },
            { "http.response.status_code", (uint)status < (uint)StatusCodes.Length ? StatusCodes[status] : status },
        };
        if (failure is not null)
        {
            tags.Add("error.type", failure.GetType().FullName);
        }

        _duration.Record(Stopwatch.GetElapsedTime(startedAt).TotalSeconds, tags);
    }

    /// <remarks>Kestrel hands known methods over as the interned constants, so the search is reference compares.</remarks>
    private static int MethodIndex(string method)
    {
        var index = Array.IndexOf(Methods, HttpMethods.GetCanonicalizedValue(method), 0, Methods.Length - 1);
        return index < 0 ? Methods.Length - 1 : index;
    }

    private IEnumerable<Measurement<long>> ObserveActive()
    {
        for (var slot = 0; slot < _active.Length; slot++)
        {
            if (_seen[slot])
            {
                yield return new Measurement<long>(
                    Volatile.Read(ref _active[slot]),
                    new KeyValuePair<string, object?>("http.request.method", Methods[slot / 2]),
                    new KeyValuePair<string, object?>("url.scheme", slot % 2 == 0 ? "http" : "https"));
            }
        }
    }
}
