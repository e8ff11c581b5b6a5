namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>
/// Runs the tests that compare <c>/metrics</c> before and after an action alone, after every parallel test.
/// OpenTelemetry subscribes to meters by name, so each test server's meter provider also counts the requests of every
/// other server in this process: a push by another test during the window showed up in a scrape's blob bytes.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ScrapedMetricsCollection
{
    public const string Name = "Scraped metrics";
}
