using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using Wharf.TestKit;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed partial class SearchTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Typing_in_the_search_box_filters_the_list_as_you_type()
    {
        var page = await OpenAsAliceAsync("/");
        var names = page.Locator(".repo-name");
        await Expect(names).ToHaveTextAsync(["public/hello", "team/app", "team/tools"]);
        await Screenshots.SaveAsync(page, "repositories", docs: true);

        await page.Keyboard.PressAsync("/");
        var search = page.GetByRole(AriaRole.Searchbox, new() { Name = "Search repositories" });
        await Expect(search).ToBeFocusedAsync();
        await search.PressSequentiallyAsync("tool", new() { Delay = 40 });

        await Expect(names).ToHaveTextAsync(["team/tools"]);
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 repository matching “tool”");
        await Expect(page).ToHaveURLAsync(QueryTool());
        await Expect(search).ToBeFocusedAsync();
        await Screenshots.SaveAsync(page, "search");

        await search.FillAsync("greeting");
        await Expect(names).ToHaveTextAsync(["public/hello"]);

        await search.FillAsync("no-such-thing");
        await Expect(names).ToHaveCountAsync(0);
        await Expect(page.GetByText("No repository matches “no-such-thing”.")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Searching_from_another_page_opens_the_results()
    {
        var page = await OpenAsAliceAsync("/r/team/app");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app", Level = 1 })).ToBeVisibleAsync();

        await page.Keyboard.PressAsync("/");
        await page.Keyboard.TypeAsync("hello");

        await Expect(page.Locator(".repo-name")).ToHaveTextAsync(["public/hello"]);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Repositories", Level = 1 })).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_list_sorts_by_name_and_keeps_the_sort_in_the_address()
    {
        var page = await OpenAsAliceAsync("/?sort=name");
        var names = page.Locator(".repo-name");
        await Expect(names).ToHaveTextAsync(["public/hello", "team/app", "team/tools"]);

        await page.GetByLabel("Sort by").SelectOptionAsync("pushed");
        await Expect(page).ToHaveURLAsync(SortPushed());
        await Expect(names).ToHaveTextAsync(["team/tools", "team/app", "public/hello"]); // the seed pushes them in the other order

        await page.GetByLabel("Sort by").FocusAsync();
        await page.GetByLabel("Sort by").SelectOptionAsync("pulls");
        await Expect(names).ToHaveTextAsync(["public/hello", "team/app", "team/tools"]); // 5, 4 and 0 pulls
        await Expect(page.Locator(".repo").Nth(1)).ToContainTextAsync("4 pulls");
        await Expect(page.GetByLabel("Sort by")).ToBeFocusedAsync();
    }

    [Fact]
    public async Task Results_come_in_pages_of_25_with_previous_and_next()
    {
        using (var alice = AliceClient())
        {
            var pusher = new ImagePusher(alice);
            var image = OciLayoutBuilder.CreateImage("paging", dataBytes: 64);
            for (var i = 1; i <= 27; i++)
            {
                await pusher.PushImageAsync($"public/p{i:00}", image, "v1");
            }
        }

        var page = await OpenAsync("/");
        var names = page.Locator(".repo-name");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("28 repositories");
        await Expect(names).ToHaveCountAsync(25);
        var pages = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of repositories" });
        await Expect(pages).ToContainTextAsync("Page 1 of 2");

        await pages.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(PageTwo());
        await Expect(names).ToHaveTextAsync(["public/p25", "public/p26", "public/p27"]);
        await Expect(pages).ToContainTextAsync("Page 2 of 2");
        await pages.GetByRole(AriaRole.Link, new() { Name = "← Previous" }).ClickAsync();
        await Expect(names.First).ToHaveTextAsync("public/hello");
    }

    [GeneratedRegex(@"\?page=2$")]
    private static partial Regex PageTwo();

    [GeneratedRegex(@"\?q=tool$")]
    private static partial Regex QueryTool();

    [GeneratedRegex(@"sort=pushed")]
    private static partial Regex SortPushed();
}
