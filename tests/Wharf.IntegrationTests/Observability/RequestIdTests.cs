using System.Net;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Observability;

/// <summary>X-Request-Id: the caller's when sane, a fresh one otherwise, on every response (errors included).</summary>
public sealed class RequestIdTests
{
    [Fact]
    public async Task The_callers_request_id_is_echoed()
    {
        await using var server = await WharfTestServer.StartAsync();

        using var response = await SendAsync(server, "/v2/", "build-42.step:7/a_b");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("build-42.step:7/a_b", RequestId(response));
    }

    [Fact]
    public async Task Without_one_each_request_gets_a_fresh_short_id()
    {
        await using var server = await WharfTestServer.StartAsync();

        using var first = await SendAsync(server, "/v2/", null);
        using var second = await SendAsync(server, "/v2/", null);

        Assert.Matches("^[0-9a-f]{16}$", RequestId(first));
        Assert.Matches("^[0-9a-f]{16}$", RequestId(second));
        Assert.NotEqual(RequestId(first), RequestId(second));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\there")]
    public async Task An_insane_request_id_is_replaced(string offered)
    {
        await using var server = await WharfTestServer.StartAsync();

        using var response = await SendAsync(server, "/v2/", offered);

        Assert.Matches("^[0-9a-f]{16}$", RequestId(response));
    }

    [Fact]
    public async Task A_request_id_longer_than_128_characters_is_replaced_and_one_of_128_is_kept()
    {
        await using var server = await WharfTestServer.StartAsync();
        var longest = new string('a', 128);

        using var kept = await SendAsync(server, "/v2/", longest);
        using var replaced = await SendAsync(server, "/v2/", longest + "a");

        Assert.Equal(longest, RequestId(kept));
        Assert.Matches("^[0-9a-f]{16}$", RequestId(replaced));
    }

    [Fact]
    public async Task Error_answers_carry_the_request_id_too()
    {
        await using var server = await WharfTestServer.StartAsync(AuthSettingsFor("basic"));

        using var unknown = await SendAsync(server, "/no/such/endpoint", "req-404");
        using var unauthorized = await SendAsync(server, "/v2/", "req-401");
        using var badName = await SendAsync(server, "/v2/UPPER/tags/list", "req-400");

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal("req-404", RequestId(unknown));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.Equal("req-401", RequestId(unauthorized));
        Assert.Equal("req-400", RequestId(badName));
    }

    private static Dictionary<string, string?> AuthSettingsFor(string mode) => Infrastructure.AuthSettings.For(mode);

    private static async Task<HttpResponseMessage> SendAsync(WharfTestServer server, string path, string? requestId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        if (requestId is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Request-Id", requestId);
        }

        return await server.Client.SendAsync(request);
    }

    private static string RequestId(HttpResponseMessage response) => response.Headers.GetValues("X-Request-Id").Single();
}
