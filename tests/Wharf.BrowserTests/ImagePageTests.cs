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
        var page = await OpenAsAliceAsync("/r/team/app");

        await page.GetByRole(AriaRole.Link, new() { Name = "v2", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(ImageV2Url());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app:v2", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".digest-full")).ToHaveTextAsync(Registry.AppV2.ManifestDigest);

        var configuration = page.GetByRole(AriaRole.Region, new() { Name = "Configuration" });
        await Expect(Fact(configuration, "Entrypoint")).ToHaveTextAsync("/app/server");
        await Expect(Fact(configuration, "Command")).ToHaveTextAsync("--port 8080");
        await Expect(Fact(configuration, "Working directory")).ToHaveTextAsync("/app");
        await Expect(Fact(configuration, "User")).ToHaveTextAsync("1000:1000");
        await Expect(Fact(configuration, "Exposed ports")).ToHaveTextAsync("8080/tcp");
        await Expect(Fact(configuration, "Environment").Locator("li")).ToHaveTextAsync(["PATH=/usr/local/bin:/usr/bin:/bin", "APP_ENV=production"]);
        await Expect(configuration.GetByRole(AriaRole.Table, new() { Name = "Labels" })).ToContainTextAsync("org.opencontainers.image.version");

        var history = page.GetByRole(AriaRole.Region, new() { Name = "History" });
        await Expect(history.Locator("code.command")).ToHaveTextAsync([
            "/bin/sh -c #(nop) ADD file:3c2bd8e5 in /",
            "ENV APP_ENV=production",
            "COPY app/ /app/ # buildkit",
            "EXPOSE map[8080/tcp:{}]",
            "ENTRYPOINT [\"/app/server\"]",
            "CMD [\"--port\" \"8080\"]",
        ]);
        await Expect(history.Locator(".badge")).ToHaveTextAsync(["layer 1", "no layer", "layer 2", "no layer", "no layer", "no layer"]);

        var layers = page.GetByRole(AriaRole.Table, new() { Name = "Layers, in order" }).Locator("tbody tr");
        await Expect(layers).ToHaveCountAsync(2);
        for (var i = 0; i < 2; i++)
        {
            var layer = Registry.AppV2.Layers[i];
            await Expect(layers.Nth(i)).ToContainTextAsync(layer.Digest[..19]);
            await Expect(layers.Nth(i).Locator("td.number")).ToHaveTextAsync(Size(layer.Compressed.Length));
        }

        await Expect(page.Locator("pre.json")).ToContainTextAsync("\"schemaVersion\": 2");
        await Screenshots.SaveAsync(page, "image", docs: true);

        // The history links to the layer it made.
        await history.GetByRole(AriaRole.Link, new() { Name = "layer 2" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(LayerTwoAnchor());
    }

    [Fact]
    public async Task An_index_lists_its_platforms_and_each_opens_its_image()
    {
        var page = await OpenAsAliceAsync("/r/team/app/-/i/multi");

        var platforms = page.GetByRole(AriaRole.Table, new() { Name = "Platforms of this index" });
        await Expect(platforms.Locator("tbody th")).ToHaveTextAsync(["linux/amd64", "linux/arm64"]);
        await Expect(page.Locator(".digest-full")).ToHaveTextAsync(Registry.MultiDigest);
        await Screenshots.SaveAsync(page, "image-index");

        await platforms.GetByRole(AriaRole.Link, new() { Name = "linux/arm64" }).ClickAsync();

        await Expect(page).ToHaveURLAsync(ImageByDigestUrl());
        await Expect(Fact(page.GetByRole(AriaRole.Region, new() { Name = "Configuration" }), "Platform")).ToHaveTextAsync("linux/arm64");
        await Expect(page.GetByRole(AriaRole.Region, new() { Name = "History" })).ToContainTextAsync("layer 1 of app-multi/linux/arm64");
    }

    [Fact]
    public async Task Referrers_of_an_image_are_listed_and_open_as_artifacts()
    {
        string sbom;
        using (var alice = AliceClient())
        {
            sbom = await new ImagePusher(alice).PushReferrerAsync("team/app", Registry.AppV1, "application/vnd.example.sbom.v1+json", "sbom of v1");
        }

        var page = await OpenAsAliceAsync("/r/team/app/-/i/v1");

        var referrers = page.GetByRole(AriaRole.Table, new() { Name = "Referrers" });
        await Expect(referrers.Locator("tbody tr")).ToHaveCountAsync(1);
        await Expect(referrers).ToContainTextAsync("application/vnd.example.sbom.v1+json");
        await Expect(referrers).ToContainTextAsync("org.example.note = sbom of v1");
        await Screenshots.SaveAsync(page, "image-referrers");

        await referrers.GetByRole(AriaRole.Link).ClickAsync();

        await Expect(page.Locator(".digest-full")).ToHaveTextAsync(sbom);
        await Expect(page.Locator("dt:text-is(\"Artifact type\") + dd")).ToHaveTextAsync("application/vnd.example.sbom.v1+json");
        var layers = page.GetByRole(AriaRole.Table, new() { Name = "Layers, in order" });
        await Expect(layers).ToContainTextAsync("application/spdx+json");
        await Expect(layers.GetByRole(AriaRole.Link, new() { NameRegex = new("Browse") })).ToHaveCountAsync(0); // not a tar
    }

    [Fact]
    public async Task An_unknown_tag_shows_not_found()
    {
        var page = await OpenAsAliceAsync("/r/team/app/-/i/no-such-tag");

        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 })).ToBeVisibleAsync();
    }

    /// <summary>The description of a term in a definition list.</summary>
    private static ILocator Fact(ILocator scope, string term) =>
        scope.Locator($"dt:text-is(\"{term}\") + dd");

    /// <summary>The UI's size format (decimal units, as docker prints them).</summary>
    private static string Size(long bytes) =>
        bytes < 1000 ? $"{bytes} B" : bytes < 10_000 ? $"{bytes / 1000.0:0.0} kB" : $"{Math.Round(bytes / 1000.0, MidpointRounding.AwayFromZero):0} kB";

    [GeneratedRegex("/r/team/app/-/i/v2$")]
    private static partial Regex ImageV2Url();

    [GeneratedRegex("#layer-1$")]
    private static partial Regex LayerTwoAnchor();

    [GeneratedRegex("/r/team/app/-/i/sha256:[0-9a-f]{64}$")]
    private static partial Regex ImageByDigestUrl();
}
