using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>
/// <c>/healthz</c> and <c>/readyz</c> as Kubernetes probes and load balancers use them: anonymous GET or HEAD, 200 or
/// 503, plain status text and nothing else; readiness fails at once when the server starts to drain, and new
/// requests then get 503 UNAVAILABLE with <c>Retry-After</c>.
/// </summary>
public sealed class HealthEndpointTests
{
    [Theory]
    [InlineData("/healthz")]
    [InlineData("/readyz")]
    public async Task A_running_registry_is_live_and_ready_without_credentials(string path)
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettings.For("token"));

        using var response = await server.Client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.True(response.Headers.CacheControl?.NoStore ?? response.Headers.CacheControl?.NoCache ?? false, response.Headers.ToString());
        using var head = await server.Client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task When_the_host_stops_readiness_fails_and_new_requests_get_503_while_liveness_holds()
    {
        await using var server = await WharfTestServer.StartAsync();

        server.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();

        using var ready = await server.Client.GetAsync("/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Equal("Unhealthy", await ready.Content.ReadAsStringAsync());
        using var live = await server.Client.GetAsync("/healthz");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);

        using var ping = await server.Client.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ping.StatusCode);
        Assert.Contains("\"UNAVAILABLE\"", await ping.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("5", ping.Headers.GetValues("Retry-After").Single());
    }
}
