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
    public async Task A_conditional_tag_delete_racing_a_push_of_the_tag_never_removes_the_pushed_tag()
    {
        // Whichever lands first, the tag ends up pointing to what was pushed: deleted then pushed again, or moved
        // and then refused. An unconditional delete could land last and remove a tag its caller never saw.
        var config = await LinkBlobAsync("race", "config");
        var seen = Image("seen", [config]);
        for (var round = 0; round < 40; round++)
        {
            Assert.Equal(ManifestPutStatus.Stored, (await Writer.PutAsync("race", seen, "latest", None)).Status);
            var pushed = Image($"pushed-{round}", [config]);
            var delete = Task.Run(async () => await Writer.DeleteTagIfAsync("race", "latest", seen.Digest, None));
            var push = Task.Run(async () => await Writer.PutAsync("race", pushed, "latest", None));
            await Task.WhenAll(delete, push);

            Assert.NotEqual(ConditionalTagDelete.TagUnknown, await delete);
            Assert.Equal(pushed.Digest, (await Reader.GetByTagAsync("race", "latest", None))?.Digest);
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
