using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Abuse;

/// <summary>Byte ranges on blob GETs as RFC 9110 says, and chunks that do not continue an upload.</summary>
public sealed class RangeAbuseTests(AbuseServer abuse) : IClassFixture<AbuseServer>
{
    /// <summary>Range header; status; Content-Range (null: none); first and last byte served (-1: none, whole blob for 200).</summary>
    public static TheoryData<string, int, string?, int, int> Ranges => new()
    {
        { "bytes=1000-", 416, "bytes */1000", -1, -1 },
        { "bytes=5000-", 416, "bytes */1000", -1, -1 },
        { "bytes=1000-2000", 416, "bytes */1000", -1, -1 },
        { "bytes=5-2", 416, "bytes */1000", -1, -1 },           // last before first: RFC 9110 lets a server reject it
        { "bytes=-0", 416, "bytes */1000", -1, -1 },            // an empty suffix selects nothing
        { "bytes=0-1,5-6", 200, null, 0, 999 },                 // several ranges: the whole blob, which RFC 9110 allows
        { "bytes=-100", 206, "bytes 900-999/1000", 900, 999 },
        { "bytes=-5000", 206, "bytes 0-999/1000", 0, 999 },     // a suffix longer than the blob is all of it
        { "bytes=990-2000", 206, "bytes 990-999/1000", 990, 999 },
        { "bytes=999-", 206, "bytes 999-999/1000", 999, 999 },
        { "bytes=0-0", 206, "bytes 0-0/1000", 0, 0 },
        { "items=0-5", 200, null, 0, 999 },                     // a unit it does not know is ignored
        { "bytes=abc", 200, null, 0, 999 },                     // malformed: ignored
        { "bytes=99999999999999999999-", 200, null, 0, 999 },   // overflows: ignored
    };

    [Theory]
    [MemberData(nameof(Ranges))]
    public async Task Blob_ranges_are_answered_as_RFC_9110_says(string range, int status, string? contentRange, int first, int last)
    {
        var response = await abuse.RawAsync("GET", $"/v2/team/app/blobs/{abuse.BlobDigest}", headers: [("Range", range)]);

        Assert.True(status == response.Status, $"{range}: {response}");
        Assert.Equal(contentRange, response.Headers.GetValueOrDefault("Content-Range"));
        if (first >= 0)
        {
            Assert.Equal(abuse.Blob[first..(last + 1)], response.Body);
        }
    }

    [Theory]
    [InlineData("5-9")]         // skips the start
    [InlineData("11-20")]       // leaves a gap of one byte
    [InlineData("20-29")]       // skips a chunk
    [InlineData("0-9")]         // repeats the chunk already written
    public async Task A_chunk_that_does_not_start_at_the_upload_offset_is_416(string contentRange)
    {
        var location = await abuse.Registry.StartUploadAsync("team/app");
        var path = new Uri(abuse.Server.BaseAddress, location).PathAndQuery;
        var first = await abuse.RawAsync("PATCH", path, TestBlobs.Random(10), [("Content-Type", MediaTypes.OctetStream), ("Content-Range", "0-9")]);
        Assert.Equal(202, first.Status);

        var response = await abuse.RawAsync("PATCH", path, TestBlobs.Random(10), [("Content-Type", MediaTypes.OctetStream), ("Content-Range", contentRange)]);

        Assert.True(response.Status == 416, $"{contentRange}: {response}");
        Assert.Equal("BLOB_UPLOAD_INVALID", AbuseServer.Code(response));
        Assert.Equal("0-9", response.Headers.GetValueOrDefault("Range"));
    }
}
