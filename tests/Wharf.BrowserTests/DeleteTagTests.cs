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
        var page = await OpenAsAliceAsync("/r/team/app");
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

    [Fact]
    public async Task Deleting_a_tag_pushed_again_since_the_page_loaded_is_refused_and_the_list_reloads()
    {
        var page = await OpenAsAliceAsync("/r/team/app");
        var v1 = page.Locator("tr[data-tag='v1']");
        await Expect(v1).ToContainTextAsync(Registry.AppV1.ManifestDigest[..19]);

        // Someone else moves v1 to another image while the page is open.
        using (var alice = AliceClient())
        using (var body = new ByteArrayContent(Registry.AppV2.ManifestBytes))
        {
            body.Headers.ContentType = new(OciLayoutMediaTypes.OciManifest);
            using var put = await alice.PutAsync("/v2/team/app/manifests/v1", body);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete tag v1" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog, new() { Name = "Delete tag v1?" }).GetByRole(AriaRole.Button, new() { Name = "Delete tag" }).ClickAsync();

        var changed = page.GetByRole(AriaRole.Dialog, new() { Name = "Tag v1 changed" });
        await Expect(changed).ToBeVisibleAsync();
        await Expect(changed).ToContainTextAsync("pushed again");
        await Expect(changed).ToContainTextAsync("Nothing was deleted");
        await Expect(changed.GetByRole(AriaRole.Button)).ToHaveTextAsync(["OK"]);
        await Expect(page.Locator("#announcer")).ToContainTextAsync("Tag v1 was pushed again");

        // Behind the message the list is reloaded: v1 shows the image it points to now.
        await Expect(v1).ToContainTextAsync(Registry.AppV2.ManifestDigest[..19]);
        await Screenshots.SaveAsync(page, "delete-tag-changed", fullPage: false);
        await page.Keyboard.PressAsync("Enter");
        await Expect(changed).ToHaveCountAsync(0);
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "v1", Exact = true })).ToBeFocusedAsync();
        Assert.Equal(Registry.AppV2.ManifestDigest, await ManifestDigestAsync("v1"));

        // Deleting what the page now shows works.
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete tag v1" }).ClickAsync();
        await page.Keyboard.PressAsync("Enter");
        var tags = page.GetByRole(AriaRole.Table, new() { Name = "Tags of team/app" }).Locator("tbody tr th");
        await Expect(tags).ToHaveTextAsync(["multi", "v2"]);
        Assert.Equal(HttpStatusCode.NotFound, await ManifestStatusAsync("v1"));
    }

    private async Task<string?> ManifestDigestAsync(string reference)
    {
        using var response = await HeadManifestAsync(reference);
        return response.Headers.TryGetValues("Docker-Content-Digest", out var values) ? values.Single() : null;
    }

    private async Task<HttpStatusCode> ManifestStatusAsync(string reference)
    {
        using var response = await HeadManifestAsync(reference);
        return response.StatusCode;
    }

    /// <summary>HEAD of a team/app manifest as alice; the caller disposes the response.</summary>
    private async Task<HttpResponseMessage> HeadManifestAsync(string reference)
    {
        using var client = AliceClient();
        using var request = new HttpRequestMessage(HttpMethod.Head, $"/v2/team/app/manifests/{reference}");
        request.Headers.Accept.ParseAdd(OciLayoutMediaTypes.OciManifest);
        return await client.SendAsync(request);
    }
}
