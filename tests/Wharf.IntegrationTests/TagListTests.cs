using System.Net;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests;

public class TagListTests
{
    private static readonly string[] Tags = ["v2", "latest", "A10", "1.0", "a2", "_x", "V1", "b", "a"];

    private static async Task<Registry> WithTagsAsync(WharfTestServer server, string repository = "library/app")
    {
        var registry = new Registry(server);
        var image = await registry.PushImageAsync(repository);
        foreach (var tag in Tags)
        {
            await registry.PushManifestAsync(repository, tag, image.Manifest);
        }

        return registry;
    }

    private static void AssertLexical(IReadOnlyList<string> tags)
    {
        var ascii = tags.Order(StringComparer.Ordinal).ToList();
        var caseless = tags.Order(StringComparer.OrdinalIgnoreCase).ThenBy(t => t, StringComparer.Ordinal).ToList();
        Assert.True(ascii.SequenceEqual(tags) || caseless.SequenceEqual(tags), $"tags not in lexical order: {string.Join(",", tags)}");
    }

    [Fact]
    public async Task Lists_all_tags_in_lexical_order_with_the_repository_name()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);

        using var response = await registry.GetAsync("/v2/library/app/tags/list");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var doc = await Json.ReadAsync(response);
        Assert.Equal("library/app", doc.RootElement.GetProperty("name").GetString());
        var tags = doc.RootElement.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
        Assert.Equal(Tags.Order(StringComparer.Ordinal), tags.Order(StringComparer.Ordinal));
        AssertLexical(tags);
    }

    [Fact]
    public async Task N_limits_the_page_and_link_points_at_the_next_page()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);

        using var response = await registry.GetAsync("/v2/library/app/tags/list?n=4");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await Json.TagsAsync(response);
        Assert.Equal(4, page.Count);
        var next = LinkHeader.Next(response);
        Assert.NotNull(next);
        var (path, n, last) = LinkHeader.Parse(next);
        Assert.Equal("/v2/library/app/tags/list", path);
        Assert.Equal("4", n);
        Assert.Equal(page[^1], last);
    }

    [Fact]
    public async Task Following_links_yields_every_tag_once_in_order()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);
        var all = new List<string>();
        string? url = "/v2/library/app/tags/list?n=2";

        for (var pages = 0; url is not null; pages++)
        {
            Assert.True(pages < 20, "pagination does not terminate");
            using var response = await registry.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var page = await Json.TagsAsync(response);
            Assert.True(page.Count <= 2);
            all.AddRange(page);
            url = LinkHeader.Next(response);
        }

        Assert.Equal(Tags.Length, all.Count);
        Assert.Equal(Tags.Order(StringComparer.Ordinal), all.Order(StringComparer.Ordinal));
        AssertLexical(all);
    }

    [Fact]
    public async Task Last_is_exclusive()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);
        var full = await registry.TagsAsync("library/app");

        using var response = await registry.GetAsync($"/v2/library/app/tags/list?n=3&last={full[2]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(full.Skip(3).Take(3), await Json.TagsAsync(response));
    }

    [Fact]
    public async Task Last_without_n_returns_the_rest()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);
        var full = await registry.TagsAsync("library/app");

        using var response = await registry.GetAsync($"/v2/library/app/tags/list?last={full[4]}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(full.Skip(5), await Json.TagsAsync(response));
    }

    [Fact]
    public async Task Last_after_the_final_tag_is_an_empty_list()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);

        using var response = await registry.GetAsync("/v2/library/app/tags/list?n=5&last=zzzz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await Json.TagsAsync(response));
        Assert.Null(LinkHeader.Next(response));
    }

    [Fact]
    public async Task N_zero_is_an_empty_list_without_link()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);

        using var response = await registry.GetAsync("/v2/library/app/tags/list?n=0");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await Json.TagsAsync(response));
        Assert.Null(LinkHeader.Next(response));
    }

    [Fact]
    public async Task N_covering_everything_has_no_link()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);

        using var response = await registry.GetAsync($"/v2/library/app/tags/list?n={Tags.Length}");

        Assert.Equal(Tags.Length, (await Json.TagsAsync(response)).Count);
        Assert.Null(LinkHeader.Next(response));
    }

    [Fact]
    public async Task Unknown_repository_is_404_NAME_UNKNOWN()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);

        using var response = await registry.GetAsync("/v2/no/such/repo/tags/list");

        await Expect.ErrorAsync(response, HttpStatusCode.NotFound, "NAME_UNKNOWN");
    }

    [Fact]
    public async Task Repository_with_untagged_manifests_lists_no_tags()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app");

        using var response = await registry.GetAsync("/v2/app/tags/list");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(await Json.TagsAsync(response));
    }

    [Fact]
    public async Task Tags_of_other_repositories_are_not_listed()
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = new Registry(server);
        await registry.PushImageAsync("app", "mine");
        await registry.PushImageAsync("app/sub", "child");
        await registry.PushImageAsync("application", "other");

        Assert.Equal(["mine"], await registry.TagsAsync("app"));
    }

    [Theory]
    [InlineData("n=-1")]
    [InlineData("n=abc")]
    [InlineData("n=99999999999999999999")]
    public async Task Bad_n_is_a_client_error_or_ignored_never_500(string query)
    {
        await using var server = await WharfTestServer.StartAsync();
        var registry = await WithTagsAsync(server);

        using var response = await registry.GetAsync($"/v2/library/app/tags/list?{query}");

        if (response.StatusCode != HttpStatusCode.OK)
        {
            await Expect.ErrorAsync(response, HttpStatusCode.BadRequest);
        }
    }
}
