using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Events;
using Wharf.IntegrationTests.Audit;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.Metadata;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Webhooks;

/// <summary>Failed deliveries: backoff on the fake clock, head-of-line per repository, dead letters and replay, leases, and what writes no event.</summary>
public sealed class WebhookRetryTests
{
    private static readonly Dictionary<string, string?> Backoff = new()
    {
        ["Webhooks:MinBackoff"] = "00:00:01",
        ["Webhooks:MaxBackoff"] = "00:00:04",
        ["Webhooks:Endpoints:0:MaxAttempts"] = "3",
    };

    [Fact]
    public async Task A_failing_delivery_backs_off_goes_dead_and_is_delivered_again_by_replay_with_the_same_id()
    {
        await using var hooks = await WebhookHarness.StartAsync(Backoff);
        hooks.Receiver.Status = 500;
        await hooks.Registry.PushImageAsync("team/app", "v1");

        Assert.Equal(1, await hooks.PassAsync());
        Assert.Equal(0, await hooks.PassAsync()); // not due again before its backoff
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(1)); // the first retry waits at most MinBackoff
        Assert.Equal(1, await hooks.PassAsync());
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(1, await hooks.PassAsync());
        hooks.Audit.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await hooks.PassAsync()); // dead after MaxAttempts: no more attempts

        var dead = Assert.Single(await hooks.ListAsync("?state=dead"));
        Assert.Equal(3, dead.GetProperty("attempts").GetInt32());
        Assert.Equal(500, dead.GetProperty("lastStatus").GetInt32());
        Assert.Equal("HTTP 500", dead.GetProperty("lastError").GetString());
        Assert.Empty(await hooks.ListAsync("?state=pending"));

        using (var refused = await hooks.Audit.SendAsync(HttpMethod.Post, "/api/events/replay", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        hooks.Receiver.Status = 200;
        var seq = dead.GetProperty("seq").GetInt64();
        using (var replay = await hooks.Audit.SendAsync(HttpMethod.Post, $"/api/events/replay?event={seq}", AuditHarness.Admin))
        {
            Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
            Assert.Equal(1, WebhookHarness.Parse(await replay.Content.ReadAsByteArrayAsync()).GetProperty("replayed").GetInt32());
        }

        Assert.Equal(1, await hooks.DrainAsync());
        Assert.Equal(4, hooks.Receiver.Received.Count);
        Assert.Single(hooks.Receiver.Received.Select(r => r.Headers["Wharf-Event-Id"]).Distinct());
        Assert.Single(hooks.Receiver.Accepted);
        Assert.Equal("done", Assert.Single(await hooks.ListAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_backlog_goes_in_one_request_in_order_and_only_its_first_event_counts_failed_attempts()
    {
        await using var hooks = await WebhookHarness.StartAsync(Backoff);
        hooks.Receiver.Status = 503;
        var image = await hooks.Registry.PushImageAsync("team/app", "v1");
        foreach (var tag in new[] { "v2", "v3", "v4", "v5" })
        {
            await hooks.Registry.PushManifestAsync("team/app", tag, image.Manifest);
        }

        Assert.Equal(5, await hooks.PassAsync()); // the head and the four behind it, in one request
        hooks.Receiver.Status = 200;
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(5, await hooks.PassAsync());

        Assert.Equal(2, hooks.Receiver.Received.Count);
        var sent = hooks.Receiver.Received.Select(r => WebhookHarness.Parse(r.Body).GetProperty("events").EnumerateArray()
            .Select(e => e.GetProperty("target").GetProperty("tag").GetString()).ToList()).ToList();
        Assert.All(sent, tags => Assert.Equal(["v1", "v2", "v3", "v4", "v5"], tags));
        var accepted = hooks.Receiver.Accepted.Single();
        Assert.Equal(5, accepted.Headers["Wharf-Event-Id"].Split(',').Length);
        Assert.True(WebhookHarness.SignatureIsValid(accepted, WebhookHarness.Secret));
        var listed = (await hooks.ListAsync()).OrderBy(d => d.GetProperty("seq").GetInt64()).ToList();
        Assert.All(listed, d => Assert.Equal("done", d.GetProperty("state").GetString()));
        Assert.Equal([2, 1, 1, 1, 1], listed.Select(d => d.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task A_failing_event_holds_up_only_the_events_after_it_in_its_own_repository()
    {
        // One event per request, so what was attempted is what was sent.
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?>(Backoff) { ["Webhooks:Endpoints:0:MaxBatch"] = "1" });
        var failing = true;
        hooks.Receiver.Answer = body => failing && Encoding.UTF8.GetString(body).Contains("\"team/slow\"", StringComparison.Ordinal) ? 503 : 200;
        var image = await hooks.Registry.PushImageAsync("team/slow", "v1");
        await hooks.Registry.PushManifestAsync("team/slow", "v2", image.Manifest);
        await hooks.Registry.PushImageAsync("team/fast", "v1");
        await hooks.Registry.PushManifestAsync("team/fast", "v2", (await hooks.Registry.PushImageAsync("team/fast", null)).Manifest);

        await hooks.DrainAsync();

        var received = hooks.Receiver.Received.Select(r => WebhookHarness.Parse(r.Body).GetProperty("events")[0]).ToList();
        var slow = received.Where(e => e.GetProperty("target").GetProperty("repository").GetString() == "team/slow").ToList();
        var slowTags = slow.Select(e => e.GetProperty("target").GetProperty("tag").GetString()).ToList();
        Assert.Equal(["v1"], slowTags); // v2 waits behind v1
        var fast = hooks.AcceptedEvents().Where(e => e.GetProperty("target").GetProperty("repository").GetString() == "team/fast").ToList();
        Assert.Equal(3, fast.Count);

        failing = false;
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(5));
        await hooks.DrainAsync();
        var slowAccepted = hooks.AcceptedEvents().Where(e => e.GetProperty("target").GetProperty("repository").GetString() == "team/slow")
            .Select(e => e.GetProperty("target").GetProperty("tag").GetString()).ToList();
        Assert.Equal(["v1", "v2"], slowAccepted);
    }

    [Fact]
    public async Task An_expired_lease_is_taken_over_and_the_old_owner_cannot_record()
    {
        await using var hooks = await WebhookHarness.StartAsync();
        await hooks.Registry.PushImageAsync("team/app", "v1");
        var now = hooks.Audit.Time.GetUtcNow();
        var stale = Assert.Single(await hooks.Outbox.ClaimAsync(["ci"], "a-dead-instance", 10, now, TimeSpan.FromSeconds(60), CancellationToken.None));

        Assert.Equal(0, await hooks.PassAsync()); // leased to the other instance
        hooks.Audit.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.Equal(1, await hooks.PassAsync());
        Assert.Single(hooks.Receiver.Accepted);

        var late = new DeliveryOutcome(DeliveryStates.Dead, now, 500, "late");
        Assert.False(await hooks.Outbox.RecordAsync(stale, "a-dead-instance", late, CancellationToken.None));
        Assert.Equal("done", Assert.Single(await hooks.ListAsync()).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_refused_push_writes_no_event()
    {
        await using var hooks = await WebhookHarness.StartAsync();
        var image = await hooks.Registry.PushImageAsync("team/app", "v1");
        await hooks.DrainAsync();
        var unknownLayer = Encoding.UTF8.GetString(image.Manifest).Replace(image.Layers[0].Digest, Digests.Unknown(), StringComparison.Ordinal);
        using var refused = await hooks.Registry.PutManifestAsync("team/app", "v2", Encoding.UTF8.GetBytes(unknownLayer));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);

        Assert.Equal(0, await hooks.DrainAsync());
        Assert.Single(await hooks.ListAsync());
    }

    [Fact]
    public async Task Pulls_are_sent_only_to_endpoints_that_ask_for_them()
    {
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Endpoints:1:Name"] = "pulls",
            ["Webhooks:Endpoints:1:Url"] = WebhookHarness.ReceiverUrl + "/pulls",
            ["Webhooks:Endpoints:1:Actions:0"] = EventActions.ManifestPull,
        });
        var image = await hooks.Registry.PushImageAsync("team/app", "v1");
        using (var pull = await hooks.Registry.GetAsync("/v2/team/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.OK, pull.StatusCode);
        }

        using (var head = await hooks.Registry.HeadAsync("/v2/team/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        await hooks.DrainAsync();

        Assert.Equal(["push"], hooks.AcceptedEvents("/events").Select(e => e.GetProperty("action").GetString()));
        var pulled = Assert.Single(hooks.AcceptedEvents("/events/pulls"));
        Assert.Equal("pull", pulled.GetProperty("action").GetString());
        Assert.Equal("v1", pulled.GetProperty("target").GetProperty("tag").GetString());
        Assert.Equal(image.Digest, pulled.GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal("GET", pulled.GetProperty("request").GetProperty("method").GetString());
    }

    [Fact]
    public async Task Without_endpoints_no_event_is_written_and_the_outbox_lists_nothing()
    {
        await using var audit = await AuditHarness.StartAsync("basic");
        await audit.Registry.PushImageAsync("team/app", "v1");
        using (await audit.Registry.DeleteAsync("/v2/team/app/manifests/v1"))
        {
        }

        var database = audit.Server.Services.GetRequiredService<SqlDatabase>();
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        await using var count = connection.Command("SELECT COUNT(*) FROM events");
        Assert.Equal(0L, Convert.ToInt64(await count.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture));
        using var listed = await audit.SendAsync(HttpMethod.Get, "/api/events", AuditHarness.Admin);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Equal(0, JsonDocument.Parse(await listed.Content.ReadAsStringAsync()).RootElement.GetProperty("deliveries").GetArrayLength());
    }

    [Theory]
    [InlineData("Webhooks:Endpoints:0:Url", "ftp://example.com/x", "Url must be an absolute http")]
    [InlineData("Webhooks:Endpoints:0:Actions:0", "manifest.pushed", "'manifest.pushed' is not one of")]
    [InlineData("Webhooks:Endpoints:0:Format", "xml", "Format must be")]
    [InlineData("Webhooks:Endpoints:0:Repositories:0", "Team/App", "not a repository pattern")]
    [InlineData("Webhooks:Endpoints:1:Name", "ci", "is used by another endpoint")]
    public async Task An_invalid_endpoint_stops_the_start_naming_what_is_wrong(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Webhooks:Endpoints:0:Name"] = "ci",
            ["Webhooks:Endpoints:0:Url"] = "http://127.0.0.1:9/events",
            ["Webhooks:Endpoints:1:Url"] = "http://127.0.0.1:9/other",
            ["Webhooks:Endpoints:1:Name"] = "other",
            [key] = value,
        };
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () => await (await WharfTestServer.StartAsync(settings)).DisposeAsync());
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        var index = key.Split(':')[2];
        Assert.Contains($"Endpoints:{index}:", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Endpoints:2", error.Message, StringComparison.Ordinal);
    }
}
