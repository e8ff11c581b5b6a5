using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Wharf.BrowserTests.Infrastructure;
using Wharf.Core.Replication;
using static Microsoft.Playwright.Assertions;

namespace Wharf.BrowserTests;

/// <summary>
/// The repository page lists the repository's replication jobs (rule, reference, state, attempts, last error, time) from
/// <c>/api/replication?repository=</c>, to whoever may pull it; a repository without jobs shows no replication section.
/// </summary>
public sealed class ReplicationPanelTests(BrowserFixture browser) : BrowserTest(browser)
{
    [Fact]
    public async Task The_repository_page_shows_its_replication_jobs_with_state_attempts_and_last_error()
    {
        var jobs = Registry.Server.Services.GetRequiredService<IReplicationJobs>();
        var time = TimeProvider.System;
        var copied = await jobs.AddAsync("to-dr", "team/app", "v1", Registry.AppV1.ManifestDigest, time.GetUtcNow(), CancellationToken.None);
        var failing = await jobs.AddAsync("from-hub", "team/app", "v2", Registry.AppV2.ManifestDigest, time.GetUtcNow(), CancellationToken.None);
        await jobs.AddAsync("to-dr", "public/elsewhere", "v1", Registry.AppV1.ManifestDigest, time.GetUtcNow(), CancellationToken.None);
        var claimed = await jobs.ClaimAsync(["to-dr", "from-hub"], "ui-test", 10, time.GetUtcNow(), TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.Equal(3, claimed.Count);
        Assert.True(await jobs.CompleteAsync(copied, "ui-test", CancellationToken.None));
        Assert.True(await jobs.FailAsync(failing, "ui-test", "registry-1.docker.io answered 429 Too Many Requests", dead: false,
            time.GetUtcNow() + TimeSpan.FromMinutes(5), CancellationToken.None));

        await SignInAsync("bob", UiRegistry.BobPassword); // bob may only pull team/**
        var page = await OpenAsync("/r/team/app");

        var table = page.GetByRole(AriaRole.Table, new() { Name = "Replication of team/app" });
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Replication", Level = 2 })).ToBeVisibleAsync();
        await Expect(table.Locator("tbody tr")).ToHaveCountAsync(2);
        var done = table.Locator("tr[data-state=done]");
        await Expect(done).ToContainTextAsync("to-dr");
        await Expect(done.Locator("th")).ToContainTextAsync("v1");
        await Expect(done.Locator("th")).ToContainTextAsync(Registry.AppV1.ManifestDigest[..19]);
        await Expect(done.Locator(".job-state")).ToHaveTextAsync("done");
        var retrying = table.Locator("tr[data-state=pending]");
        await Expect(retrying).ToContainTextAsync("from-hub");
        await Expect(retrying.Locator(".job-state")).ToHaveTextAsync("retrying");
        await Expect(retrying.Locator("td.number")).ToHaveTextAsync("1");
        await Expect(retrying.Locator(".job-error")).ToHaveTextAsync("registry-1.docker.io answered 429 Too Many Requests");
        await Expect(retrying).ToContainTextAsync("next try in 5 minutes");
        await Screenshots.SaveAsync(page, "repository-replication");

        var other = await OpenAsync("/r/public/hello");
        await Expect(other.GetByRole(AriaRole.Heading, new() { Name = "public/hello", Level = 1 })).ToBeVisibleAsync();
        await Expect(other.Locator("section.replication")).ToHaveCountAsync(0);
    }
}
