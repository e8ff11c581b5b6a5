using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Storage;
using Wharf.Storage.S3;

namespace Wharf.Tests.Storage.S3;

/// <summary>Requests to the store per operation, counted on the wire: what the driver is told or remembers, it does not ask again.</summary>
public sealed partial class S3DriverTests
{
    [Fact]
    public async Task Publishing_a_small_upload_is_one_GET_one_create_only_PUT_and_one_DELETE()
    {
        using var counter = new S3RequestCounter();
        using var counted = CountedDriver(counter);
        var content = RandomBytes(4096, 50);
        var version = await PutVersionedAsync("uploads/p", content);
        Use("blobs/d");
        counter.Reset();

        Assert.Equal(PublishOutcome.Published, await counted.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Equal(["GET", "PUT", "DELETE"], counter.Requests.Select(r => r.Split(' ')[0]));
        Assert.Equal(content, await GetAsync("blobs/d"));
    }

    [Fact]
    public async Task Publishing_onto_an_existing_blob_keeps_it_and_removes_the_upload()
    {
        using var counter = new S3RequestCounter();
        using var counted = CountedDriver(counter);
        var content = RandomBytes(4096, 51);
        await PutAsync("blobs/d", content);
        var version = await PutVersionedAsync("uploads/p", content);

        Assert.Equal(PublishOutcome.DestinationExisted, await counted.PublishAsync("uploads/p", "blobs/d", version, None));

        Assert.Null(await Driver.StatAsync("uploads/p", None));
        Assert.Equal(content, await GetAsync("blobs/d"));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(Large)]
    public async Task A_redirect_of_a_known_blob_asks_the_store_nothing_until_it_is_deleted_here_or_its_time_is_up(int size)
    {
        using var counter = new S3RequestCounter();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var options = Options(_prefix);
        using var counted = new S3Driver(S3ClientFactory.Create(options, counter), options, clock);
        var first = RandomBytes(size, 52);
        await PutAsync("blobs/sha256/ab/abc", first);
        using var http = new HttpClient();

        counter.Reset();
        var url = await counted.RedirectUrlAsync("blobs/sha256/ab/abc", None);
        Assert.Single(counter.Requests);
        counter.Reset();
        Assert.Equal(url!.AbsolutePath, (await counted.RedirectUrlAsync("blobs/sha256/ab/abc", None))!.AbsolutePath);
        Assert.Empty(counter.Requests);
        Assert.Equal(Sha256(first), Sha256(await http.GetByteArrayAsync(url)));

        // Deleted (as the garbage collector does) and pushed again: the redirect goes to the new bytes, never the removed ones.
        await counted.DeleteAsync("blobs/sha256/ab/abc", None);
        var second = RandomBytes(size, 53);
        await PutAsync("blobs/sha256/ab/abc", second);
        counter.Reset();
        Assert.Equal(Sha256(second), Sha256(await http.GetByteArrayAsync(await counted.RedirectUrlAsync("blobs/sha256/ab/abc", None))));
        Assert.Single(counter.Requests);

        // Changed behind this instance's back: it asks again once the cache lifetime is over.
        await Driver.DeleteAsync("blobs/sha256/ab/abc", None);
        var third = RandomBytes(size, 54);
        await PutAsync("blobs/sha256/ab/abc", third);
        clock.Advance(options.RedirectCacheLifetime + TimeSpan.FromSeconds(1));
        Assert.Equal(Sha256(third), Sha256(await http.GetByteArrayAsync(await counted.RedirectUrlAsync("blobs/sha256/ab/abc", None))));
    }

    [Fact]
    public async Task Uploads_are_never_redirected_from_the_cache()
    {
        using var counter = new S3RequestCounter();
        using var counted = CountedDriver(counter);
        await PutAsync("uploads/u", RandomBytes(1000, 55));

        await counted.RedirectUrlAsync("uploads/u", None);
        counter.Reset();
        await counted.RedirectUrlAsync("uploads/u", None);

        Assert.Single(counter.Requests);
    }
}
