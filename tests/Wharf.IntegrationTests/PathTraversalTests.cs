using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

/// <summary>Requests sent over raw sockets so that dot segments and escapes reach Wharf unchanged.</summary>
public class PathTraversalTests
{
    private static void AssertRefused(RawResponse response, string target)
    {
        Assert.True(response.Status is 400 or 404, $"{target} answered {response}");
    }

    [Theory]
    [InlineData("GET", "/v2/../x")]
    [InlineData("GET", "/v2/../../etc/passwd")]
    [InlineData("GET", "/v2/a/%2e%2e/%2e%2e/%2e%2e/etc/passwd")]
    [InlineData("GET", "/v2/%2e%2e/%2e%2e/tags/list")]
    [InlineData("GET", "/v2/a%2Fb/tags/list")]
    [InlineData("GET", "/v2/a%2F..%2F..%2Fb/tags/list")]
    [InlineData("GET", "/v2/a/manifests/..%2F..%2Fdb")]
    [InlineData("GET", "/v2/a/blobs/sha256:..%2F..%2F..%2Fetc%2Fpasswd")]
    [InlineData("GET", "/v2/a/blobs/uploads/..%2F..%2F..%2Fetc")]
    [InlineData("POST", "/v2/%2e%2e/%2e%2e/wharf-escape/blobs/uploads/")]
    [InlineData("POST", "/v2/..%2F..%2Fwharf-escape/blobs/uploads/")]
    [InlineData("PUT", "/v2/a/manifests/..%2F..%2Fwharf-escape")]
    [InlineData("PATCH", "/v2/a/blobs/uploads/..%2F..%2Fwharf-escape")]
    [InlineData("DELETE", "/v2/a/blobs/uploads/..%2F..%2F..")]
    public async Task Traversal_attempts_are_refused(string method, string target)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var image = await registry.PushImageAsync("a", "v1");
        await registry.PushImageAsync("a/b", "v1");
        var body = method is "PUT" or "PATCH" ? image.Manifest : null;

        var response = await RawHttp.SendAsync(server.BaseAddress, method, target, body, [("Content-Type", MediaTypes.OciManifest)]);

        AssertRefused(response, target);
        var parent = Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(server.DataDirectory))!;
        Assert.Empty(Directory.GetFileSystemEntries(parent, "wharf-escape*"));
        Assert.Empty(Directory.GetFileSystemEntries(Path.GetDirectoryName(parent)!, "wharf-escape*"));
        using var ping = await registry.GetAsync("/v2/");
        Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
    }

    [Fact]
    public async Task Encoded_dot_segments_do_not_reach_a_blob_of_another_repository()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        var digest = await registry.PushBlobAsync("a", TestBlobs.Random(100));

        var response = await RawHttp.SendAsync(server.BaseAddress, "GET", $"/v2/a/%2e%2e/b/blobs/{digest}");

        AssertRefused(response, "/v2/a/%2e%2e/b/blobs/...");
    }

    [Fact]
    public async Task Escaped_slash_is_not_a_path_separator()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("a/b", "v1");

        var response = await RawHttp.SendAsync(server.BaseAddress, "GET", "/v2/a%2Fb/tags/list");

        AssertRefused(response, "/v2/a%2Fb/tags/list");
        if (response.Body.Length > 0)
        {
            Assert.Contains("\"errors\"", response.BodyText, StringComparison.Ordinal);
        }
    }
}
