namespace Wharf.TestKit.Prometheus;

/// <summary>One sample line of the Prometheus text format: a series name, its labels and its value.</summary>
public sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    /// <summary>True when every pair of <paramref name="labels"/> ("name=value") is among this sample's labels.</summary>
    public bool Has(params string[] labels)
    {
        foreach (var pair in labels)
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (!Labels.TryGetValue(pair[..equals], out var value) || value != pair[(equals + 1)..])
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>A metric family: its <c># TYPE</c> and <c># HELP</c>, and its samples.</summary>
public sealed record PrometheusFamily(string Name, string Type, string? Help, IReadOnlyList<PrometheusSample> Samples);
