using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed partial class FileBrowserTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Browsing_a_layer_walks_its_directories_and_shows_links_and_modes()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var page = await OpenAsync("/r/team/app/-/i/v2");

        await page.GetByRole(AriaRole.Link, new() { Name = "Browse the files of layer 1" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(FilesUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Files in layer " + Registry.AppV2.Layers[0].Digest[..19]);
        var names = page.Locator(".files-table tbody th");
        await Expect(names).ToHaveTextAsync(["bin/", "etc/", "usr/"]);

        await page.GetByRole(AriaRole.Link, new() { Name = "bin/" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(PathBin());
        await Expect(names).ToHaveTextAsync(["busybox", "ls", "sh"]);
        var busybox = page.Locator(".files-table tbody tr").Nth(0);
        await Expect(busybox).ToContainTextAsync("-rwxr-xr-x");
        await Expect(busybox).ToContainTextAsync("40 kB");
        var sh = page.Locator(".files-table tbody tr").Nth(2);
        await Expect(sh).ToContainTextAsync("symlink");
        await Expect(sh).ToContainTextAsync("→ busybox");
        await Screenshots.SaveAsync(page, "files", docs: true);

        // The path is a breadcrumb trail, and Back works.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Directory" }).GetByRole(AriaRole.Link, new() { Name = "/", Exact = true }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["bin/", "etc/", "usr/"]);
        await page.GoBackAsync();
        await Expect(names).ToHaveTextAsync(["busybox", "ls", "sh"]);

        await page.GotoAsync($"/r/team/app/-/files/{Registry.AppV2.Layers[0].Digest}?path=usr/bin");
        await Expect(page.Locator(".files-table tbody tr").First).ToContainTextAsync("hard link");
        await Expect(page.Locator(".files-table tbody tr").First).ToContainTextAsync("→ bin/busybox");
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Directory" })).ToHaveTextAsync(PathCrumbs());
    }

    [Fact]
    public async Task Whiteouts_and_opaque_directories_are_marked()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var layer = Registry.AppV2.Layers[1].Digest;
        var page = await OpenAsync($"/r/team/app/-/files/{layer}?path=etc");

        var row = page.Locator(".files-table tbody tr").First;
        await Expect(row.Locator("th")).ToHaveTextAsync("motd");
        await Expect(row).ToContainTextAsync("deleted (whiteout)");
        await Screenshots.SaveAsync(page, "files-whiteout");

        await page.GotoAsync($"/r/team/app/-/files/{layer}?path=usr/lib");
        await Expect(page.Locator(".files-table tbody tr").First).ToContainTextAsync("hides lower layers");

        await page.GotoAsync($"/r/team/app/-/files/{layer}");
        await Expect(page.Locator(".files-table tbody th")).ToHaveTextAsync(["app/", "etc/", "usr/", "var/"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "app/" }).ClickAsync();
        await Expect(page.Locator(".files-table tbody th")).ToHaveTextAsync(["config.yaml", "server"]);
    }

    [GeneratedRegex("/r/team/app/-/files/sha256:[0-9a-f]{64}$")]
    private static partial Regex FilesUrl();

    [GeneratedRegex(@"\?path=bin$")]
    private static partial Regex PathBin();

    [GeneratedRegex(@"^\s*/\s*usr\s*/?\s*bin\s*$")]
    private static partial Regex PathCrumbs();
}
