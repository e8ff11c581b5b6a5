using System.Diagnostics.Metrics;
using Wharf.Core.Telemetry;

namespace Wharf.Core.Mirror;

/// <summary>Pull-through cache instruments on Wharf's meter. Labels name the upstream's prefix, never a repository or digest.</summary>
public sealed class MirrorMetrics
{
    private readonly Counter<long> _requests;
    private readonly Counter<long> _bytes;
    private readonly Counter<long> _errors;

    public MirrorMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(WharfMetrics.MeterName);
        _requests = meter.CreateCounter<long>("wharf.mirror.requests", "{request}", "Pulls of cached repositories, by upstream, kind (manifest, blob) and result: hit (served from cache), miss (fetched), stale (cached, served while the upstream failed).");
        _bytes = meter.CreateCounter<long>("wharf.mirror.upstream.bytes", "{byte}", "Blob bytes received from upstreams, by upstream.");
        _errors = meter.CreateCounter<long>("wharf.mirror.upstream.errors", "{error}", "Upstream calls that failed, by upstream and reason: unavailable, too_many_requests, not_found, digest (content did not verify).");
    }

    public void Request(string upstream, string kind, string result) =>
        _requests.Add(1, new("upstream", upstream), new("kind", kind), new("result", result));

    public void UpstreamBytes(string upstream, long bytes) => _bytes.Add(bytes, new KeyValuePair<string, object?>("upstream", upstream));

    public void UpstreamError(string upstream, string reason) =>
        _errors.Add(1, new("upstream", upstream), new("reason", reason));
}
