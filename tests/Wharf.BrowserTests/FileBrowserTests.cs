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
        var page = await OpenAsAliceAsync("/r/team/app/-/i/v2");

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
        await SignInAsAliceAsync();
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

    [Fact]
    public async Task A_directory_of_thousands_pages_by_its_direct_children_and_implied_directories_can_be_walked()
    {
        await SignInAsAliceAsync();
        var image = ShowcaseImage.CreateLargeTree();
        using (var alice = AliceClient())
        {
            await new ImagePusher(alice).PushImageAsync("team/app", image, "large");
        }

        var layer = image.Layers[0].Digest;
        var page = await OpenAsync($"/r/team/app/-/files/{layer}");
        var names = page.Locator(".files-table tbody th");
        var rows = page.Locator(".files-table tbody tr");
        await Expect(names).ToHaveTextAsync(["big/", "deep/", "implied/"]);
        await Expect(rows.Nth(0)).ToContainTextAsync("3,000 entries");
        await Expect(rows.Nth(1)).ToContainTextAsync("2,510 entries");
        await Expect(rows.Nth(2)).ToContainTextAsync("directory (implied)");

        // 3,000 direct children, 250 a page: twelve full pages, in name order, whatever lies beside them.
        await page.GetByRole(AriaRole.Link, new() { Name = "big/" }).ClickAsync();
        await Expect(rows).ToHaveCountAsync(250);
        await Expect(names.First).ToHaveTextAsync("f0000");
        await Expect(names.Last).ToHaveTextAsync("f0249");
        await Expect(page.Locator(".result-count")).ToHaveTextAsync("3,000 entries in /big");
        var pager = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of entries", Exact = true });
        var pagerAbove = page.GetByRole(AriaRole.Navigation, new() { Name = "Pages of entries, above the list" });
        await Expect(pager).ToContainTextAsync("Page 1 of 12");
        await Expect(pagerAbove).ToContainTextAsync("Page 1 of 12");
        await Screenshots.SaveAsync(page, "files-large-directory", fullPage: false);
        await pager.GetByRole(AriaRole.Link, new() { Name = "Next →" }).ClickAsync();
        await Expect(pager).ToContainTextAsync("Page 2 of 12");
        await Expect(names.First).ToHaveTextAsync("f0250");
        await Expect(rows).ToHaveCountAsync(250);
        await pagerAbove.GetByRole(AriaRole.Link, new() { Name = "← Previous" }).ClickAsync();
        await Expect(names.First).ToHaveTextAsync("f0000");
        await page.GotoAsync($"/r/team/app/-/files/{layer}?path=big&page=12");
        await Expect(names.Last).ToHaveTextAsync("f2999");
        await Expect(rows).ToHaveCountAsync(250);
        await Expect(pager.GetByRole(AriaRole.Link, new() { Name = "Next →" })).ToHaveCountAsync(0);

        // A directory above a deep subtree shows its one child, not the subtree.
        await page.GotoAsync($"/r/team/app/-/files/{layer}?path=deep");
        await Expect(names).ToHaveTextAsync(["d0/"]);
        await Expect(rows.First).ToContainTextAsync("2,509 entries");
        await page.GetByRole(AriaRole.Link, new() { Name = "d0/" }).ClickAsync();
        await Expect(page.Locator(".result-count")).ToHaveTextAsync("251 entries in /deep/d0");
        await Expect(names.First).ToHaveTextAsync("d1/");
        await Expect(pager).ToContainTextAsync("Page 1 of 2");

        // The archive lists neither implied/, implied/x/ nor implied/x/y/: they are shown and can be opened.
        await page.GotoAsync($"/r/team/app/-/files/{layer}");
        await page.GetByRole(AriaRole.Link, new() { Name = "implied/" }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["x/"]);
        await page.GetByRole(AriaRole.Link, new() { Name = "x/" }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["y/", "w.txt"]);
        await Expect(rows.First).ToContainTextAsync("directory (implied)");
        await page.GetByRole(AriaRole.Link, new() { Name = "y/" }).ClickAsync();
        await Expect(names).ToHaveTextAsync(["z.txt"]);
        await Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Directory" })).ToHaveTextAsync(ImpliedCrumbs());
    }

    [GeneratedRegex(@"^\s*/\s*implied\s*/?\s*x\s*/?\s*y\s*$")]
    private static partial Regex ImpliedCrumbs();

    [GeneratedRegex("/r/team/app/-/files/sha256:[0-9a-f]{64}$")]
    private static partial Regex FilesUrl();

    [GeneratedRegex(@"\?path=bin$")]
    private static partial Regex PathBin();

    [GeneratedRegex(@"^\s*/\s*usr\s*/?\s*bin\s*$")]
    private static partial Regex PathCrumbs();
}
