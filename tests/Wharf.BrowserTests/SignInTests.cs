using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed partial class SignInTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Signing_in_with_the_form_shows_the_user_and_their_private_repositories()
    {
        var page = await OpenAsync("/");
        var names = page.Locator(".repo-name");
        await Expect(names).ToHaveTextAsync(["public/hello"]);
        await Screenshots.SaveAsync(page, "repositories-anonymous");

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true }).ClickAsync();
        await Expect(page).ToHaveURLAsync(SignInUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in to Wharf" })).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Username")).ToBeFocusedAsync();
        await Screenshots.SaveAsync(page, "sign-in", docs: true);

        await page.GetByLabel("Username").FillAsync("alice");
        await page.GetByLabel("Password or access token").FillAsync(UiRegistry.AlicePassword);
        await page.GetByLabel("Password or access token").PressAsync("Enter");

        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Account" })).ToContainTextAsync("Signed in as alice");
        await Expect(page).ToHaveURLAsync(new Uri(Registry.BaseAddress, "/").ToString());
        await Expect(names).ToHaveTextAsync(["public/hello", "team/app", "team/tools"]);
        var cookies = await Context.CookiesAsync();
        var session = Assert.Single(cookies, c => c.Name == "wharf_session");
        Assert.True(session.HttpOnly);
        Assert.Equal(SameSiteAttribute.Strict, session.SameSite);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_with_a_message_and_no_session()
    {
        var page = await OpenAsync("/sign-in");

        await page.GetByLabel("Username").FillAsync("alice");
        await page.GetByLabel("Password or access token").FillAsync("not-the-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync("Wrong username or password.");
        await Expect(page.GetByLabel("Password or access token")).ToHaveValueAsync("");
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == "wharf_session");
        await Screenshots.SaveAsync(page, "sign-in-refused");
    }

    [Fact]
    public async Task Signing_out_forgets_the_session_and_hides_private_repositories_again()
    {
        var page = await OpenAsAliceAsync("/r/team/app");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app", Level = 1 })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in", Exact = true })).ToBeVisibleAsync();
        await Expect(page.Locator(".repo-name")).ToHaveTextAsync(["public/hello"]);
        Assert.DoesNotContain(await Context.CookiesAsync(), c => c.Name == "wharf_session");
    }

    [Fact]
    public async Task Signing_in_from_a_private_page_returns_to_it()
    {
        var page = await OpenAsync("/r/team/app");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found" })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "sign in" }).ClickAsync();
        await page.GetByLabel("Username").FillAsync("bob");
        await page.GetByLabel("Password or access token").FillAsync(UiRegistry.BobPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(new Uri(Registry.BaseAddress, "/r/team/app").ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app", Level = 1 })).ToBeVisibleAsync();
    }

    [GeneratedRegex("/sign-in")]
    private static partial Regex SignInUrl();
}
