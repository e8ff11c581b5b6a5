using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

public abstract partial class MetadataStoreContract
{
    [Fact]
    public async Task Concurrent_tag_writes_end_with_one_consistent_tag()
    {
        var config = await LinkBlobAsync("race", "config");
        var manifests = Enumerable.Range(0, 16).Select(i => Image($"racer-{i}", [config])).ToArray();

        var results = await Task.WhenAll(manifests.Select(m =>
            Task.Run(async () => await Writer.PutAsync("race", m, "latest", None))));

        Assert.All(results, r => Assert.Equal(ManifestPutStatus.Stored, r.Status));
        Assert.Equal(["latest"], (await Reader.ListTagsAsync("race", null, 100, None))!.Items);
        var tagged = await Reader.GetByTagAsync("race", "latest", None);
        Assert.NotNull(tagged);
        var winner = Assert.Single(manifests, m => m.Digest == tagged.Digest);
        Assert.Equal(winner.Payload, tagged.Payload);
        foreach (var m in manifests)
        {
            Assert.NotNull(await Reader.GetAsync("race", m.Digest, None));
        }
    }

    [Fact]
    public async Task Concurrent_pushes_to_new_repositories_create_each_once()
    {
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(async () => await PushImageAsync($"repo{i % 4}", $"m{i}", $"t{i}"))));

        Assert.Equal(["repo0", "repo1", "repo2", "repo3"], await CatalogAsync());
        Assert.Equal(4, (await Reader.ListTagsAsync("repo0", null, 100, None))!.Items.Count);
    }

    [Fact]
    public async Task Reads_during_writes_see_whole_manifests()
    {
        var config = await LinkBlobAsync("a", "config");
        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 30; i++)
            {
                await Writer.PutAsync("a", Image($"w{i}", [config]), "latest", None);
            }
        });

        while (!writes.IsCompleted)
        {
            var seen = await Reader.GetByTagAsync("a", "latest", None);
            if (seen is not null)
            {
                Assert.Equal(seen.Digest, Digest.Compute(seen.Payload));
            }
        }

        await writes;
    }
}
