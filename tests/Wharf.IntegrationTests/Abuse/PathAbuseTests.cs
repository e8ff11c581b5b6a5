using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>
/// Traversal in every position of every route, with plain, encoded and double-encoded dots, escaped slashes and
/// backslashes, NUL and overlong UTF-8: each is refused (400 NAME_INVALID or similar, or 404), and the file planted
/// outside the data directory is never served.
/// </summary>
public sealed class PathAbuseTests(AbuseServer abuse) : IClassFixture<AbuseServer>
{
    private static readonly string[] Escapes = ["..", "%2e%2e", "%252e%252e", "..%2f..", "..%5c..", "%2e%2e%5c", "%00", "..%00", "%c0%ae%c0%ae", "%c0%af", "%e0%80%ae%e0%80%ae"];

    private static readonly string[] Shapes =
    [
        "/v2/{x}/app/tags/list",
        "/v2/team/{x}/tags/list",
        "/v2/team/app/{x}/tags/list",
        "/v2/team/app/blobs/{x}",
        "/v2/team/app/blobs/sha256:{x}",
        "/v2/team/app/manifests/{x}",
        "/v2/team/app/manifests/{x}/{x}/{x}/{secret}",
        "/v2/team/app/referrers/{x}",
        "/v2/team/app/blobs/uploads/{x}",
        "/v2/team/app/blobs/uploads/{x}/{x}/{x}/{secret}",
        "/api/repository/{x}/{x}/{x}/{secret}",
        "/api/tags/team/{x}/{x}/{secret}",
        "/api/image/team/app?reference={x}/{x}/{secret}",
        "/api/files/team/app?digest={blob}&path={x}/{x}/{x}/{secret}",
        "/ui/{x}/{x}/{x}/{secret}",
        "/ui/v1/{x}/{x}/{x}/{x}/{secret}",
        "/{x}/{x}/{x}/{secret}",
        "/v1/search?q={x}/{x}/{secret}",
    ];

    public static TheoryData<string, string> Cases()
    {
        var data = new TheoryData<string, string>();
        foreach (var shape in Shapes)
        {
            foreach (var escape in Escapes)
            {
                data.Add(shape, escape);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Traversal_is_refused_and_never_reaches_a_file_outside_the_data_directory(string shape, string escape)
    {
        var target = shape.Replace("{x}", escape, StringComparison.Ordinal).Replace("{secret}", abuse.SecretName, StringComparison.Ordinal)
            .Replace("{blob}", abuse.BlobDigest, StringComparison.Ordinal);

        foreach (var method in new[] { "GET", "HEAD", "PUT", "PATCH", "DELETE" })
        {
            var response = await abuse.RawAsync(method, target, method is "PUT" or "PATCH" ? abuse.Blob : null);
            Assert.True(response.Status is 400 or 401 or 404 or 405 or 416 or 200 or 202, $"{method} {target}: {response}");
            if (response.Status is 200 or 202)
            {
                // Only a search or listing may answer; it never found the file.
                Assert.True(shape.StartsWith("/v1/search", StringComparison.Ordinal) || shape.StartsWith("/api/", StringComparison.Ordinal) || shape.StartsWith("/{x}", StringComparison.Ordinal) || shape.StartsWith("/ui/", StringComparison.Ordinal), $"{method} {target}: {response}");
            }
        }

        Assert.Equal(abuse.Secret, await File.ReadAllTextAsync(abuse.SecretFile));
    }

    [Theory]
    [InlineData("/v1/search?q=abc%00def", 400, "UNSUPPORTED", "")]
    [InlineData("/v1/search?q=%00/%00/x", 400, "UNSUPPORTED", "")]
    [InlineData("/api/repositories?q=team%00", 400, "UNSUPPORTED", "")]
    [InlineData("/api/repositories?q=%00", 400, "UNSUPPORTED", "")]
    [InlineData("/v2/_catalog?last=%00", 200, null, "\"team/app\"")]
    [InlineData("/v2/_catalog?last=team%00x", 200, null, "\"team/app\"")]   // after "team\0x" is after "team"
    [InlineData("/v2/team/app/tags/list?last=%00", 200, null, "\"v1\"")]
    [InlineData("/v2/team/app/tags/list?last=v%00", 200, null, "\"v1\"")]
    public async Task A_NUL_in_a_query_parameter_is_a_client_error_or_harmless(string target, int status, string? code, string contains)
    {
        var response = await abuse.RawAsync("GET", target);

        Assert.True(status == response.Status, $"{target}: {response}");
        Assert.Equal(code, AbuseServer.Code(response));
        Assert.Contains(contains, response.BodyText, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST", "/v2/Library/Alpine/blobs/uploads/")]
    [InlineData("PUT", "/v2/Library/Alpine/manifests/v1")]
    [InlineData("PUT", "/v2/team/App/manifests/v1")]
    [InlineData("GET", "/v2/TEAM/APP/tags/list")]
    public async Task Names_that_differ_only_by_case_are_NAME_INVALID(string method, string target)
    {
        var response = await abuse.RawAsync(method, target, method == "PUT" ? abuse.Image.Manifest : null, [("Content-Type", MediaTypes.OciManifest)]);

        Assert.True(response.Status == 400, $"{method} {target}: {response}");
        Assert.Equal("NAME_INVALID", AbuseServer.Code(response));
    }
}
