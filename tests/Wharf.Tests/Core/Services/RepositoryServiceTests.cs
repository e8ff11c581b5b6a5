using Wharf.Core.Errors;
using Wharf.Core.Metadata;
using Wharf.Core.Services;

namespace Wharf.Tests.Core.Services;

public sealed class RepositoryServiceTests
{
    private readonly FakeSearch _search = new(Enumerable.Range(0, 50).Select(i => (i % 2 == 0 ? "public/" : "private/") + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture)).ToList());

    private RepositoryService Service(int maxCandidates = 10_000) => new(_search, new FakeInfo(), new SearchOptions { MaxCandidates = maxCandidates });

    private static bool Public(string name) => name.StartsWith("public/", StringComparison.Ordinal);

    [Fact]
    public async Task Without_auth_the_store_pages_and_counts()
    {
        var page = await Service().ListAsync(new RepositoryQuery(null, RepositorySort.Name), 2, 10, null, CancellationToken.None);

        Assert.Equal(_search.Names[10..20], page.Items.Select(s => s.Name));
        Assert.Equal(50, page.Total);
        Assert.True(page.TotalIsExact);
    }

    [Fact]
    public async Task With_auth_only_pullable_repositories_are_listed_and_counted_in_rank_order()
    {
        var first = await Service().ListAsync(new RepositoryQuery(null, RepositorySort.Name), 1, 10, Public, CancellationToken.None);
        var third = await Service().ListAsync(new RepositoryQuery(null, RepositorySort.Name), 3, 10, Public, CancellationToken.None);

        Assert.Equal(_search.Names.Where(Public).Take(10), first.Items.Select(s => s.Name));
        Assert.Equal(_search.Names.Where(Public).Skip(20), third.Items.Select(s => s.Name));
        Assert.Equal(25, first.Total);
        Assert.True(first.TotalIsExact);
    }

    [Fact]
    public async Task Filtering_stops_at_the_candidate_cap_and_says_the_total_is_a_lower_bound()
    {
        var page = await Service(maxCandidates: 20).ListAsync(new RepositoryQuery(null, RepositorySort.Name), 1, 100, Public, CancellationToken.None);

        Assert.Equal(_search.Names.Take(20).Where(Public), page.Items.Select(s => s.Name));
        Assert.Equal(10, page.Total);
        Assert.False(page.TotalIsExact);
    }

    [Fact]
    public async Task A_cap_that_holds_every_candidate_gives_an_exact_total()
    {
        var page = await Service(maxCandidates: 50).ListAsync(new RepositoryQuery(null, RepositorySort.Name), 1, 10, Public, CancellationToken.None);

        Assert.Equal(25, page.Total);
        Assert.True(page.TotalIsExact);
    }

    [Fact]
    public async Task A_short_page_is_the_last_so_no_count_is_needed()
    {
        var page = await Service().ListAsync(new RepositoryQuery(null, RepositorySort.Name), 3, 20, null, CancellationToken.None);

        Assert.Equal(10, page.Items.Count);
        Assert.Equal(50, page.Total);
        Assert.Equal(0, _search.Counts);
    }

    [Fact]
    public async Task A_page_beyond_the_end_is_empty()
    {
        Assert.Empty((await Service().ListAsync(new RepositoryQuery(null, RepositorySort.Name), 99, 10, null, CancellationToken.None)).Items);
        Assert.Empty((await Service().ListAsync(new RepositoryQuery(null, RepositorySort.Name), int.MaxValue, 100, Public, CancellationToken.None)).Items);
    }

    [Theory]
    [InlineData(300, 0, null)]
    [InlineData(301, 0, "description is limited to 300 characters")]
    [InlineData(0, 64 * 1024, null)]
    [InlineData(0, 64 * 1024 + 1, "readme is limited to 65536 bytes of UTF-8")]
    public void Limits_are_checked(int descriptionLength, int readmeLength, string? problem) =>
        Assert.Equal(problem, RepositoryService.Check(new string('d', descriptionLength), new string('r', readmeLength)));

    [Theory]
    [InlineData("two\nlines", null)]
    [InlineData("tab\there", null)]
    [InlineData(null, "nul \0 inside")]
    public void Control_characters_in_descriptions_and_NULs_are_refused(string? description, string? readme) =>
        Assert.NotNull(RepositoryService.Check(description, readme));

    [Fact]
    public void Text_with_an_unpaired_surrogate_is_refused()
    {
        var broken = "lone " + (char)0xD800 + " surrogate";
        Assert.Equal("description is not valid Unicode text", RepositoryService.Check(broken, null));
        Assert.Equal("readme is not valid Unicode text", RepositoryService.Check(null, "x" + (char)0xDC00));
    }

    [Fact]
    public void Emoji_count_as_one_character_each_and_multiline_markdown_is_fine()
    {
        Assert.Null(RepositoryService.Check(string.Concat(Enumerable.Repeat("🚢", 300)), "# Title\n\n- item\r\n\ttab"));
        Assert.NotNull(RepositoryService.Check(string.Concat(Enumerable.Repeat("🚢", 301)), null));
    }

    [Fact]
    public async Task Describing_checks_limits_before_the_store_and_an_unknown_repository_is_NAME_UNKNOWN()
    {
        var info = new FakeInfo();
        var service = new RepositoryService(_search, info, new SearchOptions());

        var invalid = await service.DescribeAsync("public/00", new string('x', 301), null, CancellationToken.None);
        Assert.Equal(0, info.Updates);
        var unknown = await service.DescribeAsync("nope", "x", null, CancellationToken.None);

        Assert.Equal(ErrorCode.ApiRequestInvalid, invalid.Error!.Code);
        Assert.Equal(ErrorCode.NameUnknown, unknown.Error!.Code);
    }

    private sealed class FakeSearch(List<string> names) : IRepositorySearch
    {
        public List<string> Names { get; } = names;

        public ValueTask<IReadOnlyList<string>> ListNamesAsync(RepositoryQuery query, int offset, int limit, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<string>>([.. Names.Skip(offset).Take(limit)]);

        public int Counts { get; private set; }

        public ValueTask<long> CountAsync(RepositoryQuery query, CancellationToken cancellationToken)
        {
            Counts++;
            return ValueTask.FromResult((long)Names.Count);
        }
    }

    private sealed class FakeInfo : IRepositoryInfoStore
    {
        public int Updates { get; private set; }

        public ValueTask<RepositoryDetails?> GetAsync(string repository, CancellationToken cancellationToken) =>
            ValueTask.FromResult<RepositoryDetails?>(repository == "nope" ? null : new RepositoryDetails(Summary(repository), ""));

        public ValueTask<IReadOnlyList<RepositorySummary>> GetSummariesAsync(IReadOnlyList<string> repositories, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<RepositorySummary>>([.. repositories.Select(Summary)]);

        public ValueTask<bool> UpdateAsync(string repository, string? description, string? readme, CancellationToken cancellationToken)
        {
            Updates++;
            return ValueTask.FromResult(repository != "nope");
        }

        private static RepositorySummary Summary(string name) => new(name, "", 0, null, null, 0);
    }
}
