using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

/// <summary>Descriptions, READMEs and usage figures (migration 0004).</summary>
public abstract partial class MetadataStoreContract
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_new_repository_has_no_description_readme_pulls_or_pull_time()
    {
        await PushImageAsync("team/app", "m", "v1");

        var details = await Info.Store.GetAsync("team/app", None);

        Assert.NotNull(details);
        Assert.Equal(new RepositorySummary("team/app", "", 0, null, null, 1), details.Summary);
        Assert.Equal("", details.Readme);
        Assert.Null(await Info.Store.GetAsync("team/other", None));
    }

    [Fact]
    public async Task Description_and_readme_are_set_independently_and_kept_exactly()
    {
        await LinkBlobAsync("team/app", "b");
        const string readme = "# App\n\nUnicode: ünïcødé ✓ 🚢\n\n```sh\ndocker pull app\n```\n";

        Assert.True(await Info.Store.UpdateAsync("team/app", "Our app", null, None));
        Assert.True(await Info.Store.UpdateAsync("team/app", null, readme, None));
        var details = await Info.Store.GetAsync("team/app", None);

        Assert.Equal("Our app", details!.Summary.Description);
        Assert.Equal(readme, details.Readme);
        Assert.True(await Info.Store.UpdateAsync("team/app", "", null, None));
        var cleared = await Info.Store.GetAsync("team/app", None);
        Assert.Equal("", cleared!.Summary.Description);
        Assert.Equal(readme, cleared.Readme);
    }

    [Fact]
    public async Task Describing_an_unknown_repository_changes_nothing_and_creates_nothing()
    {
        Assert.False(await Info.Store.UpdateAsync("ghost", "boo", "# boo", None));

        Assert.Empty(await CatalogAsync());
        Assert.Null(await Info.Store.GetAsync("ghost", None));
    }

    [Fact]
    public async Task Summaries_come_in_the_order_asked_without_unknown_names_and_count_tags()
    {
        var manifest = await PushImageAsync("b", "m", "v1");
        await Writer.PutAsync("b", manifest, "v2", None);
        await LinkBlobAsync("a", "x");

        var summaries = await Info.Store.GetSummariesAsync(["b", "nope", "a"], None);

        Assert.Equal(["b", "a"], summaries.Select(s => s.Name));
        Assert.Equal([2, 0], summaries.Select(s => s.TagCount));
        Assert.Empty(await Info.Store.GetSummariesAsync([], None));
    }

    [Fact]
    public async Task Usage_batches_add_pulls_per_repository_and_manifest_and_move_times_only_forward()
    {
        var one = await PushImageAsync("team/app", "one", "v1");
        var two = await PushImageAsync("team/app", "two", "v2");

        await Info.Usage.ApplyAsync(new UsageBatch(
            [new("team/app", one.Digest, 3, T0.AddMinutes(5)), new("team/app", two.Digest, 1, T0)],
            [new("team/app", T0.AddMinutes(1))]), None);
        await Info.Usage.ApplyAsync(new UsageBatch(
            [new("team/app", one.Digest, 2, T0.AddMinutes(1))],
            [new("team/app", T0)]), None);

        var summary = (await Info.Store.GetAsync("team/app", None))!.Summary;
        Assert.Equal(6, summary.PullCount);
        Assert.Equal(T0.AddMinutes(5), summary.LastPulledAt);
        Assert.Equal(T0.AddMinutes(1), summary.LastPushedAt);
        var pulls = await Info.Pulls.GetManifestPullsAsync("team/app", [one.Digest, two.Digest, BlobDigest("never")], None);
        Assert.Equal(new PullStats(5, T0.AddMinutes(5)), pulls[one.Digest]);
        Assert.Equal(new PullStats(1, T0), pulls[two.Digest]);
        Assert.False(pulls.ContainsKey(BlobDigest("never")));
    }

    [Fact]
    public async Task Usage_of_an_unknown_repository_is_dropped_and_the_rest_of_the_batch_is_kept()
    {
        var manifest = await PushImageAsync("a", "m", "v1");

        await Info.Usage.ApplyAsync(new UsageBatch(
            [new("gone", manifest.Digest, 7, T0), new("a", manifest.Digest, 1, T0)],
            [new("gone", T0), new("a", T0)]), None);

        Assert.Equal(["a"], await CatalogAsync());
        Assert.Equal(1, (await Info.Store.GetAsync("a", None))!.Summary.PullCount);
        Assert.Empty(await Info.Pulls.GetManifestPullsAsync("gone", [manifest.Digest], None));
        Assert.Empty(await Info.Pulls.GetManifestPullsAsync("a", [], None));
    }

    [Fact]
    public async Task Pull_figures_go_with_their_manifest_and_a_late_flush_does_not_bring_them_back()
    {
        var manifest = await PushImageAsync("a", "m", "v1");
        await Info.Usage.ApplyAsync(new UsageBatch([new("a", manifest.Digest, 2, T0)], []), None);

        Assert.True(await Writer.DeleteAsync("a", manifest.Digest, None));
        await Info.Usage.ApplyAsync(new UsageBatch([new("a", manifest.Digest, 1, T0.AddMinutes(1))], []), None);

        Assert.Empty(await Info.Pulls.GetManifestPullsAsync("a", [manifest.Digest], None));
        await Writer.PutAsync("a", Image("m", []), "v1", None);
        Assert.Empty(await Info.Pulls.GetManifestPullsAsync("a", [Image("m", []).Digest], None));
    }

    [Fact]
    public async Task Pull_counts_of_one_manifest_are_kept_per_repository()
    {
        var manifest = await PushImageAsync("a", "same", "v1");
        await PushImageAsync("b", "same", "v1");

        await Info.Usage.ApplyAsync(new UsageBatch([new("a", manifest.Digest, 2, T0)], []), None);

        Assert.Equal(2, (await Info.Pulls.GetManifestPullsAsync("a", [manifest.Digest], None))[manifest.Digest].Count);
        Assert.Empty(await Info.Pulls.GetManifestPullsAsync("b", [manifest.Digest], None));
    }

    [Fact]
    public async Task Concurrent_usage_batches_all_count()
    {
        var manifest = await PushImageAsync("a", "m", "v1");
        await PushImageAsync("b", "m", "v1");

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
            await Info.Usage.ApplyAsync(new UsageBatch(
                [new(i % 2 == 0 ? "a" : "b", manifest.Digest, 1, T0.AddSeconds(i)), new(i % 2 == 0 ? "b" : "a", manifest.Digest, 1, T0)],
                [new("a", T0.AddSeconds(i))]), None))));

        Assert.Equal(20, (await Info.Store.GetAsync("a", None))!.Summary.PullCount);
        Assert.Equal(20, (await Info.Store.GetAsync("b", None))!.Summary.PullCount);
        Assert.Equal(T0.AddSeconds(19), (await Info.Store.GetAsync("a", None))!.Summary.LastPushedAt);
    }

    protected async Task SetPullsAsync(string repository, long pulls, DateTimeOffset? pushedAt = null)
    {
        var digest = Digest.Compute(System.Text.Encoding.UTF8.GetBytes("pulls:" + repository));
        await Info.Usage.ApplyAsync(new UsageBatch(
            pulls > 0 ? [new(repository, digest, pulls, T0)] : [],
            pushedAt is { } at ? [new(repository, at)] : []), None);
    }
}
