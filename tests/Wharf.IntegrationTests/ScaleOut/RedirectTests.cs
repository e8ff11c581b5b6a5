using System.Net;
using System.Net.Http.Headers;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>Blob GETs on S3 storage: a redirect to a presigned URL (the default) or a proxied stream, Range either way.</summary>
[Trait("Category", "ScaleOut")]
public sealed class RedirectTests
{
    [Fact]
    public async Task Get_redirects_to_a_presigned_url_that_serves_the_blob_and_ranges()
    {
        await using var pair = await TwoInstances.StartAsync(("Blobs:Delivery", "Redirect"));
        var blob = TestBlobs.Random(300_000);
        var digest = await pair.A.PushBlobAsync("r/app", blob);
        using var noFollow = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = pair.B.Server.BaseAddress };

        using var redirect = await noFollow.GetAsync($"/v2/r/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.TemporaryRedirect, redirect.StatusCode);
        Assert.Equal(digest, Expect.Header(redirect, "Docker-Content-Digest"));
        var url = redirect.Headers.Location!;
        Assert.StartsWith(TestEngines.S3Endpoint, url.AbsoluteUri, StringComparison.Ordinal);
        using var plain = new HttpClient();
        Assert.Equal(blob, await plain.GetByteArrayAsync(url));

        using var ranged = new HttpRequestMessage(HttpMethod.Get, $"/v2/r/app/blobs/{digest}");
        ranged.Headers.Range = new RangeHeaderValue(1000, 1999);
        using var followed = await pair.B.Http.SendAsync(ranged);
        Assert.Equal(HttpStatusCode.PartialContent, followed.StatusCode);
        Assert.Equal(blob[1000..2000], await followed.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Head_is_answered_by_the_registry_even_when_gets_redirect()
    {
        await using var pair = await TwoInstances.StartAsync(("Blobs:Delivery", "Redirect"));
        var blob = TestBlobs.Random(1234);
        var digest = await pair.A.PushBlobAsync("r/app", blob);

        using var head = await pair.B.HeadAsync($"/v2/r/app/blobs/{digest}");

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(1234, head.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Proxy_delivery_streams_the_blob_and_ranges_from_the_bucket()
    {
        await using var pair = await TwoInstances.StartAsync(("Blobs:Delivery", "Proxy"));
        var blob = TestBlobs.Random(300_000);
        var digest = await pair.A.PushBlobAsync("p/app", blob);

        using var whole = await pair.B.GetAsync($"/v2/p/app/blobs/{digest}");
        using var ranged = await pair.B.GetAsync($"/v2/p/app/blobs/{digest}", r => r.Headers.Range = new RangeHeaderValue(299_990, null));

        Assert.Equal(HttpStatusCode.OK, whole.StatusCode);
        Assert.Equal(blob, await whole.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.PartialContent, ranged.StatusCode);
        Assert.Equal(blob[299_990..], await ranged.Content.ReadAsByteArrayAsync());
    }
}
