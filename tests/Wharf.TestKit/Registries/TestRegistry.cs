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

    /// <summary>
    /// Starts the selected registry. With <paramref name="dataDirectory"/> it keeps its data there and
    /// leaves it in place on dispose, so a second registry started on the same directory sees the
    /// same content (a restart); without it the data lives and dies with the registry.
    /// </summary>
    public static async Task<ITestRegistry> StartAsync(string? dataDirectory = null) => SelectedKind switch
    {
        "distribution" => await DistributionRegistry.StartAsync(dataDirectory),
        _ => new WharfRegistry(await WharfTestServer.StartAsync(dataDirectory: dataDirectory)),
    };
}
