using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Services;
using Wharf.IntegrationTests.Api;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Policies;

/// <summary>
/// <c>Retention:Rules</c> through <c>POST /api/retention/run</c> and the schedule, on a fake clock: each clause alone, their
/// combination, immutable tags, and a dry run that lists exactly what the real run then deletes.
/// </summary>
public sealed class RetentionTests
{
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));

    private static (string Key, string Value)[] Rule(int index, string repositories, params (string Clause, string Value)[] clauses) =>
        [($"Retention:Rules:{index}:Repositories", repositories), .. clauses.Select(c => ($"Retention:Rules:{index}:{c.Clause}", c.Value))];

    private Task<WharfTestServer> StartAsync(params (string Key, string Value)[] settings) => WharfTestServer.StartAsync(Settings.Of(settings), _time);

    [Fact]
    public async Task DeleteOlderThan_removes_tags_pushed_before_the_cut_off_and_only_in_covered_repositories()
    {
        await using var server = await StartAsync(Rule(0, "ci/**", ("DeleteOlderThan", "30d")));
        var registry = new Registry(server);
        var old = await registry.PushImageAsync("ci/app", "old");
        await registry.PushImageAsync("other/app", "old");
        _time.Advance(20 * Day);
        await registry.PushImageAsync("ci/app", "mid");
        _time.Advance(15 * Day);
        await registry.PushImageAsync("ci/app", "new");

        var deleted = await DryRunThenRunAsync(server);

        Assert.Equal(["ci/app:old"], deleted);
        Assert.Equal(["mid", "new"], await registry.TagsAsync("ci/app"));
        Assert.Equal(["old"], await registry.TagsAsync("other/app"));
        Assert.Equal(HttpStatusCode.OK, await registry.ManifestStatusAsync("ci/app", old.Digest)); // Only the tag goes.
    }

    [Fact]
    public async Task KeepLast_alone_keeps_the_most_recently_pushed_tags()
    {
        await using var server = await StartAsync(Rule(0, "ci/**", ("KeepLast", "2")));
        var registry = new Registry(server);
        foreach (var tag in new[] { "a", "b", "c", "d" })
        {
            await registry.PushImageAsync("ci/app", tag);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        // Pushing a again makes it the most recent.
        await registry.PushImageAsync("ci/app", "a");

        Assert.Equal(["ci/app:b", "ci/app:c"], await DryRunThenRunAsync(server));
        Assert.Equal(["a", "d"], await registry.TagsAsync("ci/app"));
    }

    [Fact]
    public async Task KeepTags_protects_matching_tags_from_an_age_rule()
    {
        await using var server = await StartAsync(Rule(0, "ci/**", ("DeleteOlderThan", "7d"), ("KeepTags", "^(latest|v.*)$")));
        var registry = new Registry(server);
        foreach (var tag in new[] { "latest", "v1.0", "build-1", "not-latest" })
        {
            await registry.PushImageAsync("ci/app", tag);
        }

        _time.Advance(8 * Day);

        Assert.Equal(["ci/app:build-1", "ci/app:not-latest"], await DryRunThenRunAsync(server));
        Assert.Equal(["latest", "v1.0"], await registry.TagsAsync("ci/app"));
    }

    [Fact]
    public async Task KeepPulledWithin_protects_tags_whose_manifest_was_pulled_recently()
    {
        await using var server = await StartAsync(Rule(0, "ci/**", ("DeleteOlderThan", "30d"), ("KeepPulledWithin", "7d")));
        var registry = new Registry(server);
        foreach (var tag in new[] { "pulled", "stale", "idle" })
        {
            await registry.PushImageAsync("ci/app", tag);
        }

        _time.Advance(30 * Day);
        await PullAsync(server, "ci/app", "stale");
        _time.Advance(7 * Day);
        await PullAsync(server, "ci/app", "pulled");
        _time.Advance(3 * Day);

        Assert.Equal(["ci/app:idle", "ci/app:stale"], await DryRunThenRunAsync(server));
        Assert.Equal(["pulled"], await registry.TagsAsync("ci/app"));
    }

    [Fact]
    public async Task Rules_combine_a_tag_goes_when_one_selects_it_and_none_protects_it_and_immutable_tags_stay()
    {
        await using var server = await StartAsync(
        [
            .. Rule(0, "ci/**", ("DeleteOlderThan", "30d")),
            .. Rule(1, "ci/important", ("KeepTags", "^nightly$")),
            .. Rule(2, "ci/**", ("KeepLast", "1")),
            ("Policies:ImmutableTags:0:Repositories", "ci/**"),
            ("Policies:ImmutableTags:0:Tags", "v*"),
        ]);
        var registry = new Registry(server);
        foreach (var (repository, tag) in new[] { ("ci/important", "nightly"), ("ci/important", "old"), ("ci/app", "a"), ("ci/app", "v1"), ("ci/app", "b"), ("ci/important", "newest") })
        {
            await registry.PushImageAsync(repository, tag);
            _time.Advance(TimeSpan.FromMinutes(1));
        }

        _time.Advance(31 * Day);
        await registry.PushImageAsync("ci/app", "fresh");

        // Rule 2 (KeepLast 1) selects every tag but the newest of each repository; rule 0 the old ones; rule 1 keeps
        // nightly; the immutable v1 is never a candidate.
        Assert.Equal(["ci/app:a", "ci/app:b", "ci/important:old"], await DryRunThenRunAsync(server));
        Assert.Equal(["fresh", "v1"], await registry.TagsAsync("ci/app"));
        Assert.Equal(["newest", "nightly"], await registry.TagsAsync("ci/important"));
    }

    [Fact]
    public async Task The_report_names_the_rule_digest_and_push_time()
    {
        await using var server = await StartAsync(Rule(0, "ci/**", ("DeleteOlderThan", "1d")));
        var registry = new Registry(server);
        var pushedAt = _time.GetUtcNow();
        var image = await registry.PushImageAsync("ci/app", "old");
        _time.Advance(2 * Day);

        var report = await RunAsync(server.Client, dryRun: false);

        Assert.False(report.GetProperty("dryRun").GetBoolean());
        var tag = Assert.Single(report.GetProperty("tags").EnumerateArray());
        Assert.Equal("ci/app", tag.GetProperty("repository").GetString());
        Assert.Equal("old", tag.GetProperty("tag").GetString());
        Assert.Equal(image.Digest, tag.GetProperty("digest").GetString());
        Assert.Equal(pushedAt, tag.GetProperty("pushedAt").GetDateTimeOffset());
        Assert.Equal("Retention:Rules[0]", tag.GetProperty("rule").GetString());
        Assert.True(tag.GetProperty("deleted").GetBoolean());
        Assert.Empty((await RunAsync(server.Client, dryRun: false)).GetProperty("tags").EnumerateArray());
    }

    [Fact]
    public async Task Only_administrators_may_run_retention()
    {
        var settings = AuthSettings.For("basic");
        settings["Auth:Admins:0"] = "carol";
        settings["Retention:Rules:0:Repositories"] = "team/**";
        settings["Retention:Rules:0:KeepLast"] = "0";
        await using var server = await WharfTestServer.StartAsync(settings, _time);
        await AuthSettings.AddUsersAsync(server);
        using var anonymous = new ApiClient(server);
        using var alice = new ApiClient(server, Accounts.Basic("alice", "alice-password"));
        using var carol = new ApiClient(server, Accounts.Basic("carol", "carol-password"));

        var (anonymousStatus, _) = await anonymous.SendAsync(HttpMethod.Post, "/api/retention/run?dryRun=true", null);
        var (aliceStatus, aliceBody) = await alice.SendAsync(HttpMethod.Post, "/api/retention/run?dryRun=true", null);
        var (carolStatus, carolBody) = await carol.SendAsync(HttpMethod.Post, "/api/retention/run?dryRun=true", null);
        var (badStatus, badBody) = await carol.SendAsync(HttpMethod.Post, "/api/retention/run?dryRun=maybe", null);

        Assert.Equal(401, anonymousStatus);
        Assert.Equal(403, aliceStatus);
        Assert.Equal("DENIED", ApiClient.ErrorCode(aliceBody));
        Assert.Equal(200, carolStatus);
        Assert.True(carolBody.GetProperty("dryRun").GetBoolean());
        Assert.Equal(400, badStatus);
        Assert.Equal("UNSUPPORTED", ApiClient.ErrorCode(badBody));
    }

    [Fact]
    public async Task The_server_applies_the_rules_every_interval_of_its_clock()
    {
        await using var server = await StartAsync([.. Rule(0, "ci/**", ("DeleteOlderThan", "30d")), ("Retention:Interval", "1h")]);
        var registry = new Registry(server);
        await registry.PushImageAsync("ci/app", "old");
        _time.Advance(29 * Day);
        await registry.PushImageAsync("ci/app", "new");

        // Runs before day 30 find nothing old enough; one after it removes the old tag. The clock moves an hour at a
        // time, so every run the scheduler waits for comes due whenever it starts waiting.
        await WaitUntilAsync(async () =>
        {
            _time.Advance(TimeSpan.FromHours(1));
            return (await registry.TagsAsync("ci/app")).SequenceEqual(["new"]);
        });
        Assert.True(_time.GetUtcNow() > new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero));
    }

    /// <summary>Runs retention dry, then for real; asserts both list the same tags and the real run deleted each; returns them as <c>repository:tag</c>.</summary>
    private static async Task<List<string>> DryRunThenRunAsync(WharfTestServer server)
    {
        var dry = await RunAsync(server.Client, dryRun: true);
        Assert.True(dry.GetProperty("dryRun").GetBoolean());
        var wouldGo = Names(dry);
        Assert.All(dry.GetProperty("tags").EnumerateArray(), t => Assert.False(t.GetProperty("deleted").GetBoolean()));

        var real = await RunAsync(server.Client, dryRun: false);
        Assert.Equal(wouldGo, Names(real));
        Assert.All(real.GetProperty("tags").EnumerateArray(), t => Assert.True(t.GetProperty("deleted").GetBoolean()));
        return [.. wouldGo.Order(StringComparer.Ordinal)];
    }

    private static List<string> Names(JsonElement report) =>
        [.. report.GetProperty("tags").EnumerateArray().Select(t => $"{t.GetProperty("repository").GetString()}:{t.GetProperty("tag").GetString()}")];

    private static async Task<JsonElement> RunAsync(HttpClient client, bool dryRun)
    {
        using var response = await client.PostAsync($"/api/retention/run?dryRun={(dryRun ? "true" : "false")}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = await Json.ReadAsync(response);
        return document.RootElement.Clone();
    }

    /// <summary>A manifest GET by tag (a counted pull), then the usage flush, so the pull time is in the store.</summary>
    private static async Task PullAsync(WharfTestServer server, string repository, string tag)
    {
        using var response = await server.Client.GetAsync($"/v2/{repository}/manifests/{tag}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await server.Services.GetRequiredService<UsageRecorder>().FlushAsync(CancellationToken.None);
    }

    /// <summary>Waits for a background service to act on the fake clock's advance (polls; no clock time passes).</summary>
    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the condition did not hold in time");
            await Task.Delay(20);
        }
    }
}
