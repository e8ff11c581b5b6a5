using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Wharf.EndToEndTests.Soak;

/// <summary>What a soak run did: every request's latency by kind, and every request that failed.</summary>
internal sealed class SoakLedger
{
    private readonly ConcurrentDictionary<string, ConcurrentQueue<double>> _latencies = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _failures = new();

    public IReadOnlyCollection<string> Failures => _failures;

    public int Requests => _latencies.Values.Sum(q => q.Count);

    public void Record(string kind, TimeSpan elapsed) =>
        _latencies.GetOrAdd(kind, _ => new ConcurrentQueue<double>()).Enqueue(elapsed.TotalMilliseconds);

    public void Fail(string kind, string detail) => _failures.Enqueue($"{kind}: {detail}");

    /// <summary>One line per kind of request: how many, and the median, p99 and worst latency in milliseconds.</summary>
    public string Summary()
    {
        var text = new StringBuilder();
        foreach (var (kind, queue) in _latencies.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            var sorted = queue.Order().ToArray();
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind,-14} {sorted.Length,7} requests  p50 {Percentile(sorted, 0.50),8:F1} ms  p99 {Percentile(sorted, 0.99),8:F1} ms  max {sorted[^1],8:F1} ms");
        }

        foreach (var kind in _failures.GroupBy(f => f[..f.IndexOf(':', StringComparison.Ordinal)], StringComparer.Ordinal))
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {kind.Key,-14} {kind.Count(),7} failed, e.g. {kind.First()}");
        }

        return text.ToString();
    }

    private static double Percentile(double[] sorted, double fraction) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];
}
