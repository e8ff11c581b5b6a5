using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>The conformance workflows with basic auth on, signed in as a user granted the conformance repositories.</summary>
public sealed class BasicAuthConformanceWorkflowTests : ConformanceWorkflowTests
{
    protected override Task<WharfTestServer> StartServerAsync() => AuthConformance.StartAsync("basic");
}

/// <summary>The conformance workflows with token auth on, following Bearer challenges to Wharf's token service.</summary>
public sealed class TokenAuthConformanceWorkflowTests : ConformanceWorkflowTests
{
    protected override Task<WharfTestServer> StartServerAsync() => AuthConformance.StartAsync("token");
}

internal static class AuthConformance
{
    public static async Task<WharfTestServer> StartAsync(string mode)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:Mode"] = mode,
            ["Auth:BcryptCost"] = "4",
            ["Auth:Policies:0:Repositories"] = "conformance/**",
            ["Auth:Policies:0:Users:0"] = "oci",
            ["Auth:Policies:0:Actions:0"] = "*",
            ["Auth:Policies:1:Repositories"] = "conformance-*",
            ["Auth:Policies:1:Users:0"] = "oci",
            ["Auth:Policies:1:Actions:0"] = "*",
        };
        var server = await WharfTestServer.StartAsync(settings, handler: new SigningInHandler("oci", "oci-password"));
        await server.AddUserAsync("oci", "oci-password");
        return server;
    }
}
