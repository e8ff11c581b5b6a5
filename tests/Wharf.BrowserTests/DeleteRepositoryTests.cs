using System.Net;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using Wharf.TestKit;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed class DeleteRepositoryTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task A_user_who_may_only_pull_is_not_offered_to_delete_the_repository()
    {
        await SignInAsync("bob", UiRegistry.BobPassword);
        var page = await OpenAsync("/r/team/app");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Table, new() { Name = "Tags of team/app" }).Locator("tbody tr")).ToHaveCountAsync(3);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete repository" })).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delete repository" })).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Deleting_a_repository_needs_its_name_typed_then_returns_to_the_list_without_it()
    {
        var page = await OpenAsAliceAsync("/r/team/app");
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete repository" });
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete repository team/app?" });
        var confirm = dialog.GetByRole(AriaRole.Button, new() { Name = "Delete repository" });
        var typed = dialog.GetByRole(AriaRole.Textbox, new() { Name = "Type team/app to confirm" });

        // The field has focus; the button stays disabled, and Enter does nothing, until the name is typed exactly.
        await delete.ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog).ToContainTextAsync("3 tags");
        await Expect(typed).ToBeFocusedAsync();
        await Expect(confirm).ToBeDisabledAsync();
        await page.Keyboard.TypeAsync("team/ap");
        await page.Keyboard.PressAsync("Enter");
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(confirm).ToBeDisabledAsync();
        await page.Keyboard.TypeAsync("pp");
        await Expect(confirm).ToBeDisabledAsync();

        // Escape cancels: nothing is deleted and focus goes back to the button.
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(delete).ToBeFocusedAsync();
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/v2/team/app/manifests/v1"));

        await delete.ClickAsync();
        await typed.FillAsync("team/app");
        await Expect(confirm).ToBeEnabledAsync();
        await Screenshots.SaveAsync(page, "delete-repository-dialog", fullPage: false);
        await confirm.ClickAsync();

        // Back on the list, with a notice, and the repository is gone from it.
        await Expect(page).ToHaveURLAsync(Registry.BaseAddress.ToString());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Repositories", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator("main .notice")).ToHaveTextAsync("Deleted repository team/app");
        await Expect(page.Locator("#announcer")).ToHaveTextAsync("Deleted repository team/app");
        await Expect(page.Locator(".repo-name")).ToHaveTextAsync(["public/hello", "team/tools"]);

        // Through the registry API its tags and manifests answer 404; the other repositories are untouched.
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync("/v2/team/app/manifests/v1"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync("/v2/team/app/manifests/multi"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync($"/v2/team/app/manifests/{Registry.AppV1.ManifestDigest}"));
        Assert.Equal(HttpStatusCode.NotFound, await StatusAsync("/v2/team/app/tags/list"));
        Assert.Equal(HttpStatusCode.OK, await StatusAsync("/v2/team/tools/manifests/v1"));

        // The notice is shown once: the next page has none.
        await page.ReloadAsync();
        await Expect(page.Locator(".repo-name")).ToHaveTextAsync(["public/hello", "team/tools"]);
        await Expect(page.Locator("main .notice")).ToHaveCountAsync(0);
        await page.GotoAsync("/r/team/app");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>The status of a GET through <c>/v2/</c> as alice.</summary>
    private async Task<HttpStatusCode> StatusAsync(string path)
    {
        using var client = AliceClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Accept.ParseAdd(OciLayoutMediaTypes.OciManifest);
        request.Headers.Accept.ParseAdd(OciLayoutMediaTypes.OciIndex);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
