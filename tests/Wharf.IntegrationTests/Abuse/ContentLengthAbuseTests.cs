using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>
/// A <c>Content-Length</c> that lies: shorter than the body (the rest is never read as body) or longer (the client
/// closes before sending it all). Nothing is ever published under the full body's digest, and nothing answers 500.
/// </summary>
public sealed class ContentLengthAbuseTests(AbuseServer abuse) : IClassFixture<AbuseServer>
{
    public enum Upload
    {
        SinglePost,
        MonolithicPut,
        PatchThenPut,
    }

    [Theory]
    [InlineData(Upload.SinglePost)]
    [InlineData(Upload.MonolithicPut)]
    [InlineData(Upload.PatchThenPut)]
    public async Task Declared_shorter_than_sent_is_400_DIGEST_INVALID_and_publishes_nothing(Upload upload)
    {
        var body = TestBlobs.Random(4096);
        var digest = Digests.Sha256(body);
        var lie = ("Content-Length", "1000");
        var octets = ("Content-Type", MediaTypes.OctetStream);
        RawResponse response;
        switch (upload)
        {
            case Upload.SinglePost:
                response = await abuse.RawAsync("POST", $"/v2/team/app/blobs/uploads/?digest={digest}", body, [octets, lie]);
                break;
            case Upload.MonolithicPut:
                response = await abuse.RawAsync("PUT", $"{await UploadPathAsync()}?digest={digest}", body, [octets, lie]);
                break;
            default:
                var path = await UploadPathAsync();
                var patch = await abuse.RawAsync("PATCH", path, body, [octets, lie]);
                Assert.Equal(202, patch.Status);
                Assert.Equal("0-999", patch.Headers["Range"]);
                response = await abuse.RawAsync("PUT", $"{path}?digest={digest}", null);
                break;
        }

        Assert.True(response.Status == 400, $"{upload}: {response}");
        Assert.Equal("DIGEST_INVALID", AbuseServer.Code(response));
        Assert.Equal(404, (await abuse.RawAsync("HEAD", $"/v2/team/app/blobs/{digest}")).Status);
    }

    [Theory]
    [InlineData(Upload.SinglePost)]
    [InlineData(Upload.MonolithicPut)]
    [InlineData(Upload.PatchThenPut)]
    public async Task Declared_longer_than_sent_then_closed_publishes_nothing_and_the_registry_keeps_serving(Upload upload)
    {
        var body = TestBlobs.Random(4096);
        var digest = Digests.Sha256(body);
        var path = upload == Upload.SinglePost ? "/v2/team/app/blobs/uploads/" : await UploadPathAsync();
        var (method, target) = upload switch
        {
            Upload.SinglePost => ("POST", $"{path}?digest={digest}"),
            Upload.MonolithicPut => ("PUT", $"{path}?digest={digest}"),
            _ => ("PATCH", path),
        };

        await RawHttp.SendTruncatedAsync(abuse.Server.BaseAddress, method, target, body.Length, body[..1000]);

        if (upload == Upload.PatchThenPut)
        {
            var put = await abuse.RawAsync("PUT", $"{path}?digest={digest}", null);
            Assert.True(put.Status is 400 or 404 or 416, $"{put}");
        }

        Assert.Equal(404, (await abuse.RawAsync("HEAD", $"/v2/team/app/blobs/{digest}")).Status);
        Assert.Equal(200, (await abuse.RawAsync("GET", $"/v2/team/app/blobs/{abuse.BlobDigest}")).Status);
    }

    private async Task<string> UploadPathAsync() =>
        new Uri(abuse.Server.BaseAddress, await abuse.Registry.StartUploadAsync("team/app")).AbsolutePath;
}
