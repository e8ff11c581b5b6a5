using Wharf.Core.Metadata;

namespace Wharf.Tests.Metadata;

/// <summary>Repository search and sorted listings through the store's indexes.</summary>
public abstract partial class MetadataStoreContract
{
    private async Task<IReadOnlyList<string>> SearchAsync(string text, int offset = 0, int limit = 100) =>
        await Info.Search.ListNamesAsync(new RepositoryQuery(text, RepositorySort.Relevance), offset, limit, None);

    private async Task CreateRepositoriesAsync(params string[] names)
    {
        foreach (var name in names)
        {
            await LinkBlobAsync(name, "b");
        }
    }

    [Fact]
    public async Task Search_ranks_exact_name_then_prefix_then_substring_then_description()
    {
        await CreateRepositoriesAsync("webapp", "tools", "app-server", "app", "team/app", "zzz");
        await Info.Store.UpdateAsync("tools", "Helpers for every app we ship", null, None);

        Assert.Equal(["app", "app-server", "team/app", "webapp", "tools"], await SearchAsync("app"));
        Assert.Equal(5, await Info.Search.CountAsync(new RepositoryQuery("app", RepositorySort.Relevance), None));
    }

    [Fact]
    public async Task Within_a_rank_the_most_pulled_come_first_then_names()
    {
        await CreateRepositoriesAsync("app-b", "app-a", "app-c", "x/app-d");
        await SetPullsAsync("app-c", 10);
        await SetPullsAsync("x/app-d", 3);

        Assert.Equal(["app-c", "x/app-d", "app-a", "app-b"], await SearchAsync("app"));
    }

    [Fact]
    public async Task Search_ignores_case_and_finds_descriptions_in_any_case()
    {
        await CreateRepositoriesAsync("team/nginx", "other");
        await Info.Store.UpdateAsync("other", "A Reverse PROXY in front of NGINX", null, None);

        Assert.Equal(["team/nginx", "other"], await SearchAsync("NGINX"));
        Assert.Equal(["other"], await SearchAsync("reverse proxy"));
        Assert.Empty(await SearchAsync("apache"));
    }

    [Fact]
    public async Task Queries_of_one_or_two_characters_match_names_only()
    {
        await CreateRepositoriesAsync("ab", "xaby", "b", "cd");
        await Info.Store.UpdateAsync("cd", "about b", null, None);

        Assert.Equal(["ab", "xaby"], await SearchAsync("ab"));
        Assert.Equal(["b", "ab", "xaby"], await SearchAsync("b"));
        Assert.Equal(["cd"], await SearchAsync("abo"));
        Assert.Equal(2, await Info.Search.CountAsync(new RepositoryQuery("AB", RepositorySort.Relevance), None));
    }

    [Fact]
    public async Task Wildcards_and_quotes_in_a_query_match_only_themselves()
    {
        await CreateRepositoriesAsync("a_b", "axb", "a__bc", "q");
        await Info.Store.UpdateAsync("q", "100% \"quoted\" \\ text", null, None);

        Assert.Equal(["a_b"], await SearchAsync("a_b"));
        Assert.Equal(["a__bc"], await SearchAsync("a__b"));
        Assert.Empty(await SearchAsync("%"));
        Assert.Equal(["a__bc", "a_b"], await SearchAsync("_"));
        Assert.Equal(["q"], await SearchAsync("100%"));
        Assert.Equal(["q"], await SearchAsync("\"quoted\""));
        Assert.Equal(["q"], await SearchAsync("\\ t"));
        Assert.Empty(await SearchAsync("a%b"));
    }

    [Fact]
    public async Task Search_follows_description_changes()
    {
        await CreateRepositoriesAsync("r");
        await Info.Store.UpdateAsync("r", "alpha release", null, None);
        Assert.Equal(["r"], await SearchAsync("alpha"));

        await Info.Store.UpdateAsync("r", "beta release", null, None);

        Assert.Empty(await SearchAsync("alpha"));
        Assert.Equal(["r"], await SearchAsync("beta"));
        Assert.Equal(["r"], await SearchAsync("release"));
    }

    [Fact]
    public async Task Search_pages_with_offset_and_limit_and_counts_all_matches()
    {
        var names = Enumerable.Range(0, 12).Select(i => $"svc-{i:D2}").ToArray();
        await CreateRepositoriesAsync([.. names, "other"]);

        Assert.Equal(names[..5], await SearchAsync("svc", 0, 5));
        Assert.Equal(names[5..10], await SearchAsync("svc", 5, 5));
        Assert.Equal(names[10..], await SearchAsync("svc", 10, 5));
        Assert.Empty(await SearchAsync("svc", 20, 5));
        Assert.Equal(12, await Info.Search.CountAsync(new RepositoryQuery("svc", RepositorySort.Relevance), None));
        Assert.Equal(13, await Info.Search.CountAsync(new RepositoryQuery(null, RepositorySort.Name), None));
    }

    [Fact]
    public async Task Listings_sort_by_name_pulls_or_last_push_and_reverse_turns_them_around()
    {
        await CreateRepositoriesAsync("c", "a", "d", "b");
        await SetPullsAsync("b", 5, T0.AddHours(1));
        await SetPullsAsync("c", 5, T0.AddHours(2));
        await SetPullsAsync("d", 9);

        async Task<IReadOnlyList<string>> List(RepositorySort sort, bool reverse = false, string? text = null) =>
            await Info.Search.ListNamesAsync(new RepositoryQuery(text, sort, reverse), 0, 100, None);

        Assert.Equal(["a", "b", "c", "d"], await List(RepositorySort.Name));
        Assert.Equal(["d", "c", "b", "a"], await List(RepositorySort.Name, reverse: true));
        Assert.Equal(["d", "b", "c", "a"], await List(RepositorySort.Pulls));
        Assert.Equal(["a", "c", "b", "d"], await List(RepositorySort.Pulls, reverse: true));
        Assert.Equal(["c", "b", "a", "d"], await List(RepositorySort.Pushed));
        Assert.Equal(["d", "a", "b", "c"], await List(RepositorySort.Pushed, reverse: true));
        Assert.Equal(["a", "b", "c", "d"], await List(RepositorySort.Relevance));
    }

    [Fact]
    public async Task A_sorted_search_keeps_only_matches()
    {
        await CreateRepositoriesAsync("app-one", "app-two", "other");
        await SetPullsAsync("app-two", 4);

        var names = await Info.Search.ListNamesAsync(new RepositoryQuery("app", RepositorySort.Pulls), 0, 100, None);

        Assert.Equal(["app-two", "app-one"], names);
        Assert.Equal(2, await Info.Search.CountAsync(new RepositoryQuery("app", RepositorySort.Pulls), None));
    }
}
