using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>Headers too large or too many are refused by Kestrel with 431 before any handler runs.</summary>
public sealed class HeaderAbuseTests(AbuseServer abuse) : IClassFixture<AbuseServer>
{
    [Fact]
    public async Task One_64_KiB_header_is_431()
    {
        var response = await abuse.RawAsync("GET", "/v2/", headers: [("X-Huge", new string('a', 64 * 1024))]);

        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task Five_hundred_headers_are_431()
    {
        var response = await abuse.RawAsync("GET", "/v2/", headers: Enumerable.Range(0, 500).Select(i => ($"X-H{i}", "v")));

        Assert.Equal(431, response.Status);
    }

    [Fact]
    public async Task The_header_limits_come_from_the_Http_section()
    {
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Http:MaxRequestHeaderCount"] = "10",
            ["Http:MaxRequestHeadersTotalSize"] = "2048",
        });

        var fewer = await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/", headers: Enumerable.Range(0, 5).Select(i => ($"X-H{i}", "v")));
        var more = await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/", headers: Enumerable.Range(0, 20).Select(i => ($"X-H{i}", "v")));
        var larger = await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/", headers: [("X-Big", new string('a', 4096))]);

        Assert.Equal(200, fewer.Status);
        Assert.Equal(431, more.Status);
        Assert.Equal(431, larger.Status);
    }

    [Fact]
    public async Task The_registry_serves_normally_afterwards()
    {
        await abuse.RawAsync("GET", "/v2/", headers: [("X-Huge", new string('a', 64 * 1024))]);

        var response = await abuse.RawAsync("GET", $"/v2/team/app/blobs/{abuse.BlobDigest}");

        Assert.Equal(200, response.Status);
        Assert.Equal(abuse.Blob, response.Body);
    }
}
