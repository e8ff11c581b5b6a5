namespace Wharf.IntegrationTests.Metrics;

/// <summary>
/// Runs the scrape tests alone, after every parallel test. OpenTelemetry subscribes to meters by name, so a meter
/// provider sees every host's "Wharf" and ASP.NET Core meters in the process: with other test servers running at the
/// same time, their requests would show in these tests' counters (one server per process, as <c>wharf serve</c> runs,
/// has no such overlap).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics";
}
