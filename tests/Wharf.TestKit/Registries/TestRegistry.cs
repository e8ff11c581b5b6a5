namespace Wharf.TestKit.Registries;

/// <summary>
/// Starts the registry that end-to-end tests run against: Wharf by default, or CNCF Distribution
/// when <c>WHARF_TEST_REGISTRY=distribution</c> (to check the tests themselves against a reference
/// implementation).
/// </summary>
public static class TestRegistry
{
    public const string EnvironmentVariable = "WHARF_TEST_REGISTRY";

    /// <summary>"wharf" or "distribution", from <see cref="EnvironmentVariable"/>.</summary>
    public static string SelectedKind =>
        Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "wharf" => "wharf",
            "distribution" => "distribution",
            var other => throw new InvalidOperationException(
                $"{EnvironmentVariable}={other} is not understood; use 'wharf' (default) or 'distribution'."),
        };

    public static bool IsDistribution => SelectedKind == "distribution";

    public static async Task<ITestRegistry> StartAsync() => SelectedKind switch
    {
        "distribution" => await DistributionRegistry.StartAsync(),
        _ => new WharfRegistry(await WharfTestServer.StartAsync()),
    };
}
