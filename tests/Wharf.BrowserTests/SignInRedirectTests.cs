using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

/// <summary>Where sign-in continues to (<c>?next=</c>): only paths of this site, as the browser's own URL parser reads them.</summary>
public sealed class SignInRedirectTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\n/evil.example")]
    [InlineData("/\r/evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("//evil.example")]
    [InlineData("https://evil.example/")]
    [InlineData("javascript:alert(1)")]
    [InlineData("evil.example")]
    [InlineData("")]
    public async Task A_next_that_the_browser_would_read_as_another_site_continues_home(string next)
    {
        Assert.Equal("/", await NextAsync(next));
    }

    [Theory]
    [InlineData("/r/team/app", "/r/team/app")]
    [InlineData("/r/team/app/-/i/v1?x=1#top", "/r/team/app/-/i/v1?x=1#top")]
    [InlineData("/?q=tools", "/?q=tools")]
    [InlineData("/%09/evil.example", "/%09/evil.example")] // an escaped tab stays escaped: a path here
    public async Task A_path_of_this_site_is_kept(string next, string expected)
    {
        Assert.Equal(expected, await NextAsync(next));
    }

    [Fact]
    public async Task Signing_in_from_a_link_with_a_tab_after_the_slash_stays_on_this_site()
    {
        var page = await OpenAsync("/sign-in?next=/%09/evil.example");

        await page.GetByLabel("Username").FillAsync("alice");
        await page.GetByLabel("Password or access token").FillAsync(UiRegistry.AlicePassword);
        await page.GetByLabel("Password or access token").PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Account" })).ToContainTextAsync("Signed in as alice");
        await Expect(page).ToHaveURLAsync(new Uri(Registry.BaseAddress, "/").ToString());
    }

    /// <summary>What the UI's router makes of <c>/sign-in?next=</c><paramref name="next"/> (the module run in the browser).</summary>
    private async Task<string> NextAsync(string next)
    {
        var page = await OpenAsync("/");
        var app = await page.Locator("script[type=module]").GetAttributeAsync("src");
        var routes = app!.Replace("/js/app.js", "/js/routes.js", StringComparison.Ordinal);
        return await page.EvaluateAsync<string>(
            """
            async ([src, next]) => {
              const { parse } = await import(src);
              const url = new URL('/sign-in', location.origin);
              url.searchParams.set('next', next);
              return parse(url).next;
            }
            """,
            new object[] { routes, next });
    }
}
