using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Services.Layers;
using Wharf.Core.Storage;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Digest = Wharf.Core.Protocol.Digest;

namespace Wharf.IntegrationTests.ScaleOut;

/// <summary>The layer listing cache lives in the shared bucket: instances build it at once without harm and share it.</summary>
[Trait("Category", "ScaleOut")]
public sealed class LayerListingTwoInstanceTests
{
    [Fact]
    public async Task Both_instances_building_one_listing_at_once_agree_and_then_share_it()
    {
        await using var pair = await TwoInstances.StartAsync();
        var digest = await ApiLayerFilesTests.PushLayerImageAsync(pair.A, "shared/app", ApiLayerFilesTests.ManyEntries(directories: 30, filesEach: 100), MediaTypes.OciLayerGzip);
        var url = $"/api/files/shared/app?digest={digest}&page=2&perPage=200";

        var bodies = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => (i % 2 == 0 ? pair.A : pair.B).Http.GetStringAsync(url)));

        Assert.All(bodies, body => Assert.Equal(bodies[0], body));
        var storage = pair.A.Server.Services.GetRequiredService<IStorageDriver>();
        var layer = Digest.Parse(digest);
        var cachePath = pair.A.Server.Services.GetRequiredService<LayerListingService>().CachePath(layer);
        Assert.Equal(cachePath, pair.B.Server.Services.GetRequiredService<LayerListingService>().CachePath(layer));
        Assert.NotNull(await storage.StatAsync(cachePath, CancellationToken.None));
        await foreach (var partial in storage.ListAsync(StorageLayout.ListingsRoot + "/partial", CancellationToken.None))
        {
            Assert.Fail($"a partial listing was left behind: {partial}");
        }

        // Without the blob's bytes, both instances still answer any page from the shared listing.
        await storage.DeleteAsync(StorageLayout.Blob(layer), CancellationToken.None);
        var last = await pair.B.Server.Client.JsonAsync($"/api/files/shared/app?digest={digest}&path=d029&page=2&perPage=60");
        Assert.Equal(100, last.GetProperty("total").GetInt64());
        Assert.Equal(40, last.GetProperty("entries").GetArrayLength());
        Assert.Equal(bodies[0], await pair.A.Http.GetStringAsync(url));
    }
}
