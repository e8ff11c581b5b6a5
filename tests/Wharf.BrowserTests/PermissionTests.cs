using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

/// <summary>The UI shows each user only what the API lets them see and do.</summary>
public sealed class PermissionTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_user_without_rights_sees_no_private_repository_even_by_its_address()
    {
        await SignInAsync("carol", UiRegistry.CarolPassword);
        var page = await OpenAsync("/");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Account" })).ToContainTextAsync("Signed in as carol");
        await Expect(page.Locator(".repo-name")).ToHaveTextAsync(["public/hello"]);

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search repositories" }).FillAsync("team");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("0 repositories matching “team”");

        foreach (var path in new[] { "/r/team/app", "/r/team/app/-/i/v1", $"/r/team/app/-/files/{Registry.AppV1.Layers[0].Digest}", "/r/team/nothing-here" })
        {
            await page.GotoAsync(path);
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
            await Expect(page.Locator("main")).Not.ToContainTextAsync("v1");
        }

        await Screenshots.SaveAsync(page, "not-found");
    }

    [Fact]
    public async Task A_user_who_may_only_pull_gets_no_edit_or_delete_buttons()
    {
        await SignInAsync("bob", UiRegistry.BobPassword);
        var page = await OpenAsync("/r/team/app");

        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Tags of team/app" }).Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete tag v1" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Delete") })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit description and README" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Copy") }).First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Anonymous_visitors_see_public_repositories_without_edit_or_delete()
    {
        var page = await OpenAsync("/r/public/hello");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "public/hello", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Tags of public/hello" }).Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Delete") })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit description and README" })).ToHaveCountAsync(0);

        await page.GotoAsync("/r/team/app");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Main).GetByRole(AriaRole.Link, new() { Name = "sign in" })).ToBeVisibleAsync();
    }
}
