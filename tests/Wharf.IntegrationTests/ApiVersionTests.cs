using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class ApiVersionTests
{
    [Fact]
    public async Task Get_v2_root_answers_200_with_the_registry_api_version()
    {
        await using var server = await WharfTestServer.StartAsync();
        using var response = await server.Client.GetAsync("/v2/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("registry/2.0", Expect.Header(response, "Docker-Distribution-API-Version"));
    }

    [Fact]
    public async Task Head_v2_root_answers_200()
    {
        await using var server = await WharfTestServer.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Head, "/v2/");
        using var response = await server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
