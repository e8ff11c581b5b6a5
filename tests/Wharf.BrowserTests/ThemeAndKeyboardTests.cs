using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed class DarkThemeTests(BrowserFixture browser) : BrowserTest(browser)
{
    protected override ColorScheme ColorScheme => ColorScheme.Dark;

    [Fact]
    public async Task The_ui_follows_a_dark_system_theme()
    {
        var page = await OpenAsAliceAsync("/r/team/app");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app", Level = 1 })).ToBeVisibleAsync();

        var background = await page.EvaluateAsync<string>("() => getComputedStyle(document.documentElement).backgroundColor");
        Assert.Equal("rgb(13, 17, 23)", background);
        await Screenshots.SaveAsync(page, "repository-dark", docs: true);
    }
}

public sealed class KeyboardTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_first_tab_offers_a_skip_link_that_lands_in_the_main_content()
    {
        var page = await OpenAsync("/");
        await Expect(page.Locator(".repo-name")).ToHaveCountAsync(1);

        await page.Keyboard.PressAsync("Tab");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" });
        await Expect(skip).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("Tab");

        // The next stop is inside <main>: the sort control on the list page.
        Assert.True(await page.EvaluateAsync<bool>("() => document.querySelector('main').contains(document.activeElement)"));
    }

    [Fact]
    public async Task Links_are_followed_with_Enter_and_Back_returns()
    {
        var page = await OpenAsync("/");
        var link = page.GetByRole(AriaRole.Link, new() { Name = "public/hello", Exact = true });
        await link.FocusAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "public/hello", Level = 1 })).ToBeFocusedAsync();
        await page.GoBackAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Repositories", Level = 1 })).ToBeVisibleAsync();
    }
}
