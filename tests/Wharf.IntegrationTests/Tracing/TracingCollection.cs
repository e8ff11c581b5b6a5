namespace Wharf.IntegrationTests.Tracing;

/// <summary>
/// Runs the tracing tests alone, after every parallel test. Activity listeners are process-wide: a tracer provider (or a
/// test's own listener) would see the spans of every other test server running at the same time in this process.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TracingCollection
{
    public const string Name = "Tracing";
}
