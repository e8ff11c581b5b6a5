using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed partial class ImagePageTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Opening_an_image_shows_its_config_history_and_layers()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var page = await OpenAsync("/r/team/app");

        await page.GetByRole(AriaRole.Link, new() { Name = "v1", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(ImageV1Url());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app:v1", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".digest-full")).ToHaveTextAsync(Registry.AppV1.ManifestDigest);
        var configuration = page.GetByRole(AriaRole.Region, new() { Name = "Configuration" });
        await Expect(configuration).ToContainTextAsync("/app/hello");
        await Expect(configuration).ToContainTextAsync("PATH=/usr/local/bin:/usr/bin:/bin");
        await Expect(configuration.GetByRole(AriaRole.Table, new() { Name = "Labels" })).ToContainTextAsync("org.example.wharf.test");

        var history = page.GetByRole(AriaRole.Region, new() { Name = "History" }).Locator("code.command");
        await Expect(history).ToHaveTextAsync([
            "Wharf test image builder: layer 1 of app-v1/linux/amd64",
            "Wharf test image builder: layer 2 of app-v1/linux/amd64",
        ]);

        var layers = page.GetByRole(AriaRole.Table, new() { Name = "Layers, in order" }).Locator("tbody tr");
        await Expect(layers).ToHaveCountAsync(2);
        for (var i = 0; i < 2; i++)
        {
            var layer = Registry.AppV1.Layers[i];
            await Expect(layers.Nth(i)).ToContainTextAsync(layer.Digest[..19]);
            await Expect(layers.Nth(i).Locator("td.number")).ToHaveTextAsync(Size(layer.Compressed.Length));
        }

        await Expect(page.Locator("pre.json")).ToContainTextAsync("\"schemaVersion\": 2");
        await Screenshots.SaveAsync(page, "image", docs: true);
    }

    [Fact]
    public async Task An_index_lists_its_platforms_and_each_opens_its_image()
    {
        await SignInAsync("alice", UiRegistry.AlicePassword);
        var page = await OpenAsync("/r/team/app/-/i/multi");

        var platforms = page.GetByRole(AriaRole.Table, new() { Name = "Platforms of this index" });
        await Expect(platforms.Locator("tbody th")).ToHaveTextAsync(["linux/amd64", "linux/arm64"]);
        await Expect(page.Locator(".digest-full")).ToHaveTextAsync(Registry.MultiDigest);
        await Screenshots.SaveAsync(page, "image-index");

        await platforms.GetByRole(AriaRole.Link, new() { Name = "linux/arm64" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(ImageByDigestUrl());
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "Configuration" })).ToContainTextAsync("linux/arm64");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "History" })).ToContainTextAsync("app-multi/linux/arm64");
    }

    /// <summary>The UI's size format (decimal units, as docker prints them).</summary>
    private static string Size(long bytes) =>
        bytes < 1000 ? $"{bytes} B" : bytes < 10_000 ? $"{bytes / 1000.0:0.0} kB" : $"{Math.Round(bytes / 1000.0, MidpointRounding.AwayFromZero):0} kB";

    [GeneratedRegex("/r/team/app/-/i/v1$")]
    private static partial Regex ImageV1Url();

    [GeneratedRegex("/r/team/app/-/i/sha256:[0-9a-f]{64}$")]
    private static partial Regex ImageByDigestUrl();
}
