using System.Net;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using Wharf.TestKit;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed class DeleteTagTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Deleting_a_tag_asks_for_confirmation_first_and_then_removes_only_the_tag()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var page = await OpenAsync("/r/team/app");
        var tags = page.GetByRole(AriaRole.Table, new() { Name = "Tags of team/app" }).Locator("tbody tr th");
        await Expect(tags).ToHaveTextAsync(["multi", "v1", "v2"]);

        // Escape cancels, and focus goes back to the button.
        var delete = page.GetByRole(AriaRole.Button, new() { Name = "Delete tag v1" });
        await delete.ClickAsync();
        var dialog = page.GetByRole(AriaRole.Dialog, new() { Name = "Delete tag v1?" });
        await Expect(dialog).ToBeVisibleAsync();
        await Expect(dialog.GetByRole(AriaRole.Button, new() { Name = "Delete tag" })).ToBeFocusedAsync();
        await Screenshots.SaveAsync(page, "delete-tag-dialog", fullPage: false);
        await page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        await Expect(delete).ToBeFocusedAsync();
        await Expect(tags).ToHaveTextAsync(["multi", "v1", "v2"]);

        // Cancel keeps it too.
        await delete.ClickAsync();
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Cancel" }).ClickAsync();
        await Expect(tags).ToHaveTextAsync(["multi", "v1", "v2"]);
        Assert.Equal(HttpStatusCode.OK, await ManifestStatusAsync("v1"));

        // Enter confirms.
        await delete.ClickAsync();
        await Expect(dialog).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Enter");

        await Expect(tags).ToHaveTextAsync(["multi", "v2"]);
        await Expect(page.Locator("#announcer")).ToHaveTextAsync("Deleted tag v1");
        Assert.Equal(HttpStatusCode.NotFound, await ManifestStatusAsync("v1"));
        Assert.Equal(HttpStatusCode.OK, await ManifestStatusAsync(Registry.AppV1.ManifestDigest)); // only the tag went
        await page.ReloadAsync();
        await Expect(tags).ToHaveTextAsync(["multi", "v2"]);
    }

    private async Task<HttpStatusCode> ManifestStatusAsync(string reference)
    {
        using var client = new HttpClient { BaseAddress = Registry.BaseAddress };
        client.DefaultRequestHeaders.Authorization = Accounts.Basic("alice", UiRegistry.AlicePassword);
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/manifests/{reference}");
        request.Headers.Accept.ParseAdd(OciLayoutMediaTypes.OciManifest);
        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
