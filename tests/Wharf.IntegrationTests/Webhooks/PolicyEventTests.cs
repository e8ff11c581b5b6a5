using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Wharf.Core.Policies;
using Wharf.Core.Services.Gc;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Webhooks;

/// <summary>Events of the registry's own actions: retention and the collector delete (actors <c>retention</c> and <c>gc</c>), and policy refusals for endpoints that ask.</summary>
public sealed class PolicyEventTests
{
    private static readonly Dictionary<string, string?> Policies = new()
    {
        ["Webhooks:Endpoints:1:Name"] = "refusals",
        ["Webhooks:Endpoints:1:Url"] = WebhookHarness.ReceiverUrl + "/refusals",
        ["Webhooks:Endpoints:1:Actions:0"] = "tag.immutable",
        ["Webhooks:Endpoints:1:Actions:1"] = "quota.exceeded",
        ["Policies:ImmutableTags:0:Repositories"] = "team/frozen/**",
        ["Policies:ImmutableTags:0:Tags"] = "v*",
        ["Retention:Rules:0:Repositories"] = "team/**",
        ["Retention:Rules:0:KeepLast"] = "1",
        ["Gc:Enabled"] = "false",
        ["Gc:UntaggedManifests:Policy"] = "Delete",
        ["Gc:UntaggedManifests:After"] = "00:10:00",
    };

    [Fact]
    public async Task Retention_and_the_collector_report_their_deletions_as_themselves()
    {
        await using var hooks = await WebhookHarness.StartAsync(Policies);
        var old = await hooks.Registry.PushImageAsync("team/app", "old");
        hooks.Audit.Time.Advance(TimeSpan.FromMinutes(1));
        await hooks.Registry.PushImageAsync("team/app", "new");
        var untagged = await hooks.Registry.PushImageAsync("team/lib");
        await hooks.DrainAsync();
        var pushes = hooks.AcceptedEvents().Count;

        var report = await hooks.Audit.Server.Services.GetRequiredService<RetentionService>().RunAsync(dryRun: false, CancellationToken.None);
        Assert.Contains(report.Tags, t => t is { Tag: "old", Deleted: true });
        hooks.Audit.Time.Advance(TimeSpan.FromHours(25));
        await hooks.Audit.Server.Services.GetRequiredService<GarbageCollector>().RunCycleAsync(CancellationToken.None);
        await hooks.DrainAsync();

        var later = hooks.AcceptedEvents().Skip(pushes).ToList();
        var retention = Assert.Single(later, e => e.GetProperty("actor").GetProperty("name").GetString() == "retention");
        Assert.Equal("delete", retention.GetProperty("action").GetString());
        Assert.Equal("old", retention.GetProperty("target").GetProperty("tag").GetString());
        Assert.Equal(old.Digest, retention.GetProperty("target").GetProperty("digest").GetString());
        var collected = later.Where(e => e.GetProperty("actor").GetProperty("name").GetString() == "gc")
            .Select(e => (e.GetProperty("target").GetProperty("repository").GetString(), e.GetProperty("target").GetProperty("digest").GetString())).ToList();
        Assert.Contains(("team/lib", untagged.Digest), collected);
        Assert.Contains(("team/app", old.Digest), collected);
        Assert.All(later, e => Assert.Equal("delete", e.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task An_immutable_tag_refusal_goes_only_to_endpoints_that_ask()
    {
        await using var hooks = await WebhookHarness.StartAsync(Policies);
        var first = await hooks.Registry.PushImageAsync("team/frozen/app", "v1");
        var second = await hooks.Registry.PushImageAsync("team/frozen/app");
        using (var moved = await hooks.Registry.PutManifestAsync("team/frozen/app", "v1", second.Manifest))
        {
            Assert.Equal(HttpStatusCode.Forbidden, moved.StatusCode);
        }

        await hooks.DrainAsync();

        Assert.Equal(["push", "push"], hooks.AcceptedEvents("/events").Select(e => e.GetProperty("action").GetString()));
        var refusal = Assert.Single(hooks.AcceptedEvents("/events/refusals"));
        Assert.Equal("tag.immutable", refusal.GetProperty("action").GetString());
        Assert.Equal("v1", refusal.GetProperty("target").GetProperty("tag").GetString());
        Assert.Equal(second.Digest, refusal.GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal("team/frozen/app", refusal.GetProperty("target").GetProperty("repository").GetString());
        Assert.Equal("alice", refusal.GetProperty("actor").GetProperty("name").GetString());
        Assert.NotEqual(first.Digest, second.Digest);
    }

    [Fact]
    public async Task A_quota_refusal_goes_only_to_endpoints_that_ask()
    {
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?>(Policies) { ["Quotas:Namespaces:team"] = "100B" });
        using (var upload = await hooks.Registry.SendAsync(
            HttpMethod.Post, $"/v2/team/app/blobs/uploads/?digest={Digests.Sha256(new byte[200])}", new byte[200], "application/octet-stream"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, upload.StatusCode);
        }

        await hooks.DrainAsync();

        Assert.Empty(hooks.AcceptedEvents("/events"));
        var refusal = Assert.Single(hooks.AcceptedEvents("/events/refusals"));
        Assert.Equal("quota.exceeded", refusal.GetProperty("action").GetString());
        Assert.Equal("team/app", refusal.GetProperty("target").GetProperty("repository").GetString());
        Assert.Equal(Digests.Sha256(new byte[200]), refusal.GetProperty("target").GetProperty("digest").GetString());
        Assert.Equal(200, refusal.GetProperty("target").GetProperty("size").GetInt64());
        Assert.Equal("alice", refusal.GetProperty("actor").GetProperty("name").GetString());
    }
}
