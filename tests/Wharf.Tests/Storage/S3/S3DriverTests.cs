using Amazon.S3.Model;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Storage;
using Wharf.Storage.S3;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.S3;

/// <summary>
/// The storage contract on a real S3-compatible store (Ceph RGW, from WHARF_TEST_S3_ENDPOINT), each test
/// under its own key prefix of a shared bucket. Small part and copy sizes make every multipart path run on small objects.
/// </summary>
public sealed partial class S3DriverTests : StorageDriverContract
{
    private const string Bucket = "wharf-contract";
    private static readonly SemaphoreSlim BucketGate = new(1, 1);
    private static bool _bucketReady;
    private S3Driver? _driver;
    private string _prefix = "";

    private S3StorageOptions Options(string prefix) => new()
    {
        Endpoint = TestEngines.S3Endpoint,
        Bucket = Bucket,
        AccessKey = TestEngines.S3AccessKey,
        SecretKey = TestEngines.S3SecretKey,
        Prefix = prefix,
        PartSize = S3StorageOptions.MinimumPartSize,
        MultipartCopyThreshold = 12 * 1024 * 1024,
        CopyPartSize = S3StorageOptions.MinimumPartSize,
    };

    protected override async Task<IStorageDriver> CreateDriverAsync()
    {
        _prefix = TestEngines.UniqueName("s3");
        _driver = new S3Driver(Options(_prefix), TimeProvider.System);
        await BucketGate.WaitAsync();
        try
        {
            if (!_bucketReady)
            {
                await _driver.EnsureBucketAsync(None);
                _bucketReady = true;
            }
        }
        finally
        {
            BucketGate.Release();
        }

        return _driver;
    }

    protected override async Task DestroyDriverAsync()
    {
        if (_driver is not null)
        {
            await DeleteAllAsync();
            _driver.Dispose();
        }
    }

    /// <summary>
    /// Every key under this test's prefix, and any multipart upload left open there. A data object (and its fate object)
    /// counts as the path it was written for while a pointer names it; one that nothing names is reported as a leak.
    /// </summary>
    protected override IReadOnlyCollection<string>? AllObjects()
    {
        var result = new List<string>();
        foreach (var key in PhysicalKeysAsync().GetAwaiter().GetResult())
        {
            if (!key.StartsWith(S3Driver.DataRoot + "/", StringComparison.Ordinal))
            {
                result.Add(key);
                continue;
            }

            var data = key.EndsWith(S3Driver.FateSuffix, StringComparison.Ordinal) ? key[..^S3Driver.FateSuffix.Length] : key;
            result.Add(IsNamedAsync(data).GetAwaiter().GetResult() ? S3Driver.OwnerOf(data) : "data object nothing points to: " + key);
        }

        var open = _driver!.ClientForTests.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = _prefix + "/" }).GetAwaiter().GetResult();
        result.AddRange((open.MultipartUploads ?? []).Select(u => "open multipart upload: " + u.Key));
        return result;
    }

    /// <summary>Every key under the test's prefix, relative to it.</summary>
    private async Task<List<string>> PhysicalKeysAsync()
    {
        var keys = new List<string>();
        var request = new ListObjectsV2Request { BucketName = Bucket, Prefix = _prefix + "/" };
        ListObjectsV2Response page;
        do
        {
            page = await _driver!.ClientForTests.ListObjectsV2Async(request);
            keys.AddRange((page.S3Objects ?? []).Select(o => o.Key[(_prefix.Length + 1)..]));
            request.ContinuationToken = page.NextContinuationToken;
        }
        while (page.IsTruncated == true);

        return keys;
    }

    /// <summary>Whether the pointer or segment list the data object was written for, or the destination its fate names, names it.</summary>
    private async Task<bool> IsNamedAsync(string data)
    {
        if (await _driver!.NamesAsync(_driver.PhysicalKey(S3Driver.OwnerOf(data)), data, None))
        {
            return true;
        }

        return await _driver.ReadFateAsync(data, None) is { Destination: { } destination }
            && (await _driver.HeadAsync(_driver.PhysicalKey(destination), None))?.Data == data;
    }

    [Fact]
    public async Task Many_small_chunks_continue_one_object_across_the_part_minimum()
    {
        var content = RandomBytes((11 * 1024 * 1024) + 5, 7);
        Use("uploads/chunked");
        var chunk = 1024 * 1024 + 3;
        for (var offset = 0; offset < content.Length; offset += chunk)
        {
            await using var writer = await Driver.OpenWriterAsync("uploads/chunked", offset, None);
            await writer.WriteAsync(content.AsMemory(offset, Math.Min(chunk, content.Length - offset)), None);
            await writer.CommitAsync(None);
        }

        Assert.Equal(content.Length, (await Driver.StatAsync("uploads/chunked", None))!.Value.Size);
        Assert.Equal(Sha256(content), Sha256((await GetAsync("uploads/chunked"))!));
    }

    [Fact]
    public async Task Move_of_an_object_above_the_copy_threshold_copies_it_in_parts()
    {
        var content = RandomBytes((13 * 1024 * 1024) + 1, 9);
        await PutAsync("uploads/big", content);
        Use("blobs/big");

        await Driver.MoveAsync("uploads/big", "blobs/big", None);

        Assert.Null(await Driver.StatAsync("uploads/big", None));
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/big"))!));
    }

    [Fact]
    public async Task Redirect_url_serves_the_object_and_ranges_without_credentials()
    {
        var content = RandomBytes(100_000, 3);
        await PutAsync("blobs/sha256/ab/abc", content);

        var url = await Driver.RedirectUrlAsync("blobs/sha256/ab/abc", None);
        Assert.NotNull(url);
        using var http = new HttpClient();
        Assert.Equal(content, await http.GetByteArrayAsync(url));
        using var ranged = new HttpRequestMessage(HttpMethod.Get, url);
        ranged.Headers.Range = new System.Net.Http.Headers.RangeHeaderValue(10, 19);
        using var response = await http.SendAsync(ranged);
        Assert.Equal(System.Net.HttpStatusCode.PartialContent, response.StatusCode);
        Assert.Equal(content[10..20], await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Keys_live_under_the_prefix()
    {
        await PutAsync("blobs/o", Bytes("x"));
        var head = await _driver!.ClientForTests.GetObjectMetadataAsync(Bucket, _prefix + "/blobs/o");
        Assert.Equal(1, head.ContentLength);
    }

    [Fact]
    public async Task An_unreachable_store_is_reported_as_unavailable()
    {
        using var port = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        port.Start();
        var closed = ((System.Net.IPEndPoint)port.LocalEndpoint).Port;
        port.Stop();
        var options = Options(_prefix);
        options.Endpoint = $"http://127.0.0.1:{closed}";
        options.MaxRetries = 0;
        using var unreachable = new S3Driver(options, new FakeTimeProvider());

        await Assert.ThrowsAsync<StorageUnavailableException>(async () => await unreachable.StatAsync("blobs/o", None));
        await Assert.ThrowsAsync<StorageUnavailableException>(async () =>
        {
            await using var writer = await unreachable.OpenWriterAsync("blobs/o", 0, None);
            await writer.WriteAsync(Bytes("x"), None);
            await writer.CommitAsync(None);
        });
    }

    private async Task DeleteAllAsync()
    {
        var client = _driver!.ClientForTests;
        var open = await client.ListMultipartUploadsAsync(new ListMultipartUploadsRequest { BucketName = Bucket, Prefix = _prefix + "/" });
        foreach (var upload in open.MultipartUploads ?? [])
        {
            await client.AbortMultipartUploadAsync(Bucket, upload.Key, upload.UploadId);
        }

        using var root = new S3Driver(Options(""), TimeProvider.System);
        await root.DeleteAsync(_prefix, None);
    }
}
