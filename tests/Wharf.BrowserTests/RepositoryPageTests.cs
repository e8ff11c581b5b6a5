using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Wharf.Core.Metadata;
using Wharf.BrowserTests.Infrastructure;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

public sealed partial class RepositoryPageTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task Opening_a_repository_shows_its_tags_readme_and_pull_command()
    {
        var page = await OpenAsAliceAsync("/");

        await page.GetByRole(AriaRole.Link, new() { Name = "team/app", Exact = true }).ClickAsync();

        await Expect(page).ToHaveURLAsync(RepositoryUrl());
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "team/app", Level = 1 })).ToBeFocusedAsync();
        await Expect(page).ToHaveTitleAsync("team/app · Wharf");
        var table = page.GetByRole(AriaRole.Table, new() { Name = "Tags of team/app" });
        await Expect(table.Locator("tbody tr th")).ToHaveTextAsync(["multi", "v1", "v2"]);
        await Expect(table.Locator("tr[data-tag=multi]")).ToContainTextAsync("linux/amd64, linux/arm64");
        await Expect(table.Locator("tr[data-tag=v1]")).ToContainTextAsync(Registry.AppV1.ManifestDigest[..19]);
        await Expect(table.Locator("tr[data-tag=v1]")).ToContainTextAsync("linux/amd64");
        await Expect(table.Locator("tr[data-tag=v1] td.number").First).ToHaveTextAsync(SizeInKilobytes());
        await Expect(table.Locator("tr[data-tag=v2] td.number").Last).ToHaveTextAsync("3"); // the seed pulled v2 three times
        await Expect(page.Locator(".page-head .repo-meta")).ToContainTextAsync("4 pulls");
        await Expect(page.Locator(".pull-command code")).ToHaveTextAsync($"docker pull {Registry.Server.Authority}/team/app");
        await Expect(page.Locator(".description")).ToHaveTextAsync("The team's web application");
        await Expect(page.Locator(".readme h2")).ToHaveTextAsync("team/app");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Delete tag v1" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Edit description and README" })).ToBeVisibleAsync();
        await Screenshots.SaveAsync(page, "repository", docs: true);

        await page.GetByRole(AriaRole.Button, new() { Name = $"Copy “docker pull {Registry.Server.Authority}/team/app:v1”" }).ClickAsync();
        Assert.Equal($"docker pull {Registry.Server.Authority}/team/app:v1", await page.EvaluateAsync<string>("() => navigator.clipboard.readText()"));
        await Expect(table.Locator("tr[data-tag=v1] .copy")).ToHaveTextAsync("Copied");
    }

    [Fact]
    public async Task The_repository_page_shows_its_namespace_storage_against_the_quota()
    {
        var usage = await Registry.Server.Services.GetRequiredService<INamespaceUsageStore>().UsageAsync("team", CancellationToken.None);
        var page = await OpenAsAliceAsync("/r/team/app");

        var shown = page.Locator(".repo-meta .namespace-usage");
        await Expect(shown).ToContainTextAsync("namespace team uses ");
        await Expect(shown).ToContainTextAsync(" of 1.1 GB (0%)");
        await Expect(shown).ToHaveAttributeAsync("data-usage", usage.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(shown).ToHaveAttributeAsync("data-quota", "1073741824");

        var open = await OpenAsync("/r/public/hello");
        await Expect(open.Locator(".repo-meta .namespace-usage")).ToContainTextAsync("(no quota)");
    }

    [Fact]
    public async Task A_readme_is_rendered_as_markdown_and_its_markup_stays_text()
    {
        var page = await OpenAsync("/r/public/hello");

        var readme = page.GetByRole(AriaRole.Article, new() { Name = "README" });
        await Expect(readme.Locator("h2")).ToHaveTextAsync("Hello");
        await Expect(readme.Locator("strong")).ToHaveTextAsync("tiny");
        await Expect(readme.Locator("pre code")).ToHaveTextAsync("docker run --rm hello");
        await Expect(readme.Locator("td").First).ToHaveTextAsync("latest");
        await Expect(readme.Locator("li em")).ToHaveTextAsync("friendly");
        await Expect(readme.GetByRole(AriaRole.Link, new() { Name = "the docs" })).ToHaveAttributeAsync("href", "https://example.com/docs");
        await Expect(readme.GetByRole(AriaRole.Link, new() { Name = "the docs" })).ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");

        // Raw HTML in a README is text, and a javascript: link is no link at all.
        await Expect(readme).ToContainTextAsync("<script>window.__wharfXss = 1</script>");
        await Expect(readme.Locator("script, img, iframe")).ToHaveCountAsync(0);
        await Expect(readme.GetByText("click me")).ToBeVisibleAsync();
        await Expect(readme.Locator("a", new() { HasText = "click me" })).ToHaveCountAsync(0);
        await readme.GetByText("click me").ClickAsync();
        Assert.Equal("undefined", await page.EvaluateAsync<string>("() => typeof window.__wharfXss"));
        await Screenshots.SaveAsync(page, "repository-readme");
    }

    [Fact]
    public async Task Someone_who_may_push_edits_the_description_and_readme()
    {
        var page = await OpenAsAliceAsync("/r/team/tools");
        await Expect(page.Locator(".description")).ToHaveTextAsync("Build tools for the team");

        await page.GetByRole(AriaRole.Button, new() { Name = "Edit description and README" }).ClickAsync();
        await Expect(page.GetByLabel("Description (up to 300 characters)")).ToBeFocusedAsync();
        await page.GetByLabel("Description (up to 300 characters)").FillAsync("Compilers and linters");
        await page.GetByLabel("README (markdown, up to 64 KiB)").FillAsync("## Usage\n\nRun `make`.");
        await Screenshots.SaveAsync(page, "repository-edit");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save" }).ClickAsync();

        await Expect(page.Locator(".description")).ToHaveTextAsync("Compilers and linters");
        await Expect(page.Locator(".readme h3")).ToHaveTextAsync("Usage");
        await page.ReloadAsync();
        await Expect(page.Locator(".description")).ToHaveTextAsync("Compilers and linters");
        await Expect(page.Locator(".readme code")).ToHaveTextAsync("make");
    }

    [GeneratedRegex("/r/team/app$")]
    private static partial Regex RepositoryUrl();

    [GeneratedRegex(@"^\d+ kB$")]
    private static partial Regex SizeInKilobytes();
}
