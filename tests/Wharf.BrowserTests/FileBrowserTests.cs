using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed partial class FileBrowserTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Browsing_a_layer_walks_its_directories_down_to_the_files()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var page = await OpenAsync("/r/team/app/-/i/v1");

        await page.GetByRole(AriaRole.Link, new() { Name = "Browse the files of layer 1" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(FilesUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Files in layer " + Registry.AppV1.Layers[0].Digest[..19]);
        var names = page.Locator(".files-table tbody th");
        await Expect(names).ToHaveTextAsync(["etc/", "usr/"]);

        await page.GetByRole(AriaRole.Link, new() { Name = "usr/" }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["share/"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "share/" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "wharf/" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(PathUsrShareWharf());
        await Expect(names).ToHaveTextAsync(["data.bin"]);
        var row = page.Locator(".files-table tbody tr").First;
        await Expect(row).ToContainTextAsync("file");
        await Expect(row).ToContainTextAsync("66 kB"); // 64 KiB of data
        await Expect(row).ToContainTextAsync("-rw-r--r--");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Directory" })).ToHaveTextAsync(PathCrumbs());
        await Screenshots.SaveAsync(page, "files", docs: true);

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Directory" }).GetByRole(AriaRole.Link, new() { Name = "usr" }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["share/"]);
        await page.GoBackAsync();
        await Expect(names).ToHaveTextAsync(["data.bin"]);
    }

    [Fact]
    public async Task The_second_layer_lists_the_app_files()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var layer = Registry.AppV1.Layers[1];
        var page = await OpenAsync($"/r/team/app/-/files/{layer.Digest}?path=app");

        await Expect(page.Locator(".files-table tbody th")).ToHaveTextAsync(["hello", "README.txt"]);
        await Expect(page.Locator(".files-table tbody tr").First).ToContainTextAsync($"{layer.Files["app/hello"].Length} B");
    }

    [GeneratedRegex("/r/team/app/-/files/sha256:[0-9a-f]{64}$")]
    private static partial Regex FilesUrl();

    [GeneratedRegex(@"\?path=usr%2Fshare%2Fwharf$")]
    private static partial Regex PathUsrShareWharf();

    [GeneratedRegex(@"^\s*/\s*usr\s*share\s*wharf\s*$")]
    private static partial Regex PathCrumbs();
}
