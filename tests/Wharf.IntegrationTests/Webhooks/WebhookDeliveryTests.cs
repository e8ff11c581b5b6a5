using System.Net;
using System.Text;
using System.Text.Json;
using Wharf.Core.Events;
using Wharf.IntegrationTests.Audit;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Webhooks;

/// <summary>Webhooks over real HTTP: what each change sends, in which envelope, to which endpoint, and how failures are retried.</summary>
public sealed class WebhookDeliveryTests
{
    private static string Text(JsonElement element, string path) =>
        path.Split('.').Aggregate(element, (e, name) => e.GetProperty(name)).GetString()!;

    [Fact]
    public async Task A_push_sends_a_signed_distribution_event_with_distributions_field_names()
    {
        await using var hooks = await WebhookHarness.StartAsync();
        var image = await hooks.Registry.PushImageAsync("team/app", "v1");

        Assert.Equal(1, await hooks.DrainAsync());

        var delivery = Assert.Single(hooks.Receiver.Received);
        Assert.Equal("application/vnd.docker.distribution.events.v1+json", delivery.ContentType);
        Assert.True(WebhookHarness.SignatureIsValid(delivery, WebhookHarness.Secret), delivery.Headers["Wharf-Signature"]);
        Assert.False(WebhookHarness.SignatureIsValid(delivery, "another-secret"));
        var e = WebhookHarness.Parse(delivery.Body).GetProperty("events")[0];
        Assert.Equal(delivery.Headers["Wharf-Event-Id"], Text(e, "id"));
        Assert.True(Guid.TryParse(Text(e, "id"), out _));
        Assert.Equal(AuditHarness.Start, DateTimeOffset.Parse(Text(e, "timestamp"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("push", Text(e, "action"));
        Assert.Equal(MediaTypes.OciManifest, Text(e, "target.mediaType"));
        Assert.Equal(image.Digest, Text(e, "target.digest"));
        Assert.Equal(image.Manifest.Length, e.GetProperty("target").GetProperty("size").GetInt64());
        Assert.Equal(image.Manifest.Length, e.GetProperty("target").GetProperty("length").GetInt64());
        Assert.Equal("team/app", Text(e, "target.repository"));
        Assert.Equal("v1", Text(e, "target.tag"));
        Assert.Equal($"{hooks.Audit.Server.BaseAddress}v2/team/app/manifests/{image.Digest}", Text(e, "target.url"));
        Assert.Equal("PUT", Text(e, "request.method"));
        Assert.Equal("127.0.0.1", Text(e, "request.addr"));
        Assert.Equal(hooks.Audit.Server.Authority, Text(e, "request.host"));
        Assert.False(string.IsNullOrEmpty(Text(e, "request.id")));
        Assert.Equal("alice", Text(e, "actor.name"));
        Assert.False(string.IsNullOrEmpty(Text(e, "source.instanceID")));
        Assert.Equal($"{Environment.MachineName}:{hooks.Audit.Server.BaseAddress.Port}", Text(e, "source.addr"));

        Assert.Equal(0, await hooks.DrainAsync());
        var listed = Assert.Single(await hooks.ListAsync());
        Assert.Equal("done", listed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task Deletes_and_mounts_arrive_in_commit_order_per_repository()
    {
        await using var hooks = await WebhookHarness.StartAsync();
        var registry = hooks.Registry;
        var image = await registry.PushImageAsync("team/app", "v1");
        using (var mount = await registry.SendAsync(HttpMethod.Post, $"/v2/team/other/blobs/uploads/?mount={image.Layers[0].Digest}&from=team/app", [], null))
        {
            Assert.Equal(HttpStatusCode.Created, mount.StatusCode);
        }

        using (var tagDelete = await registry.DeleteAsync("/v2/team/app/manifests/v1"))
        {
            Assert.Equal(HttpStatusCode.Accepted, tagDelete.StatusCode);
        }

        await registry.PushManifestAsync("team/app", "v2", image.Manifest);
        using (var manifestDelete = await registry.DeleteAsync($"/v2/team/app/manifests/{image.Digest}"))
        {
            Assert.Equal(HttpStatusCode.Accepted, manifestDelete.StatusCode);
        }

        using (var repositoryDelete = await hooks.Audit.SendAsync(HttpMethod.Delete, "/api/repository/team/other", AuditHarness.Alice))
        {
            Assert.Equal(HttpStatusCode.NoContent, repositoryDelete.StatusCode);
        }

        Assert.Equal(6, await hooks.DrainAsync());

        var events = hooks.AcceptedEvents();
        var app = events.Where(e => Text(e, "target.repository") == "team/app").ToList();
        Assert.Equal(["push", "delete", "push", "delete"], app.Select(e => Text(e, "action")));
        Assert.Equal("v1", Text(app[1], "target.tag"));
        Assert.Equal(image.Digest, Text(app[1], "target.digest"));
        Assert.False(app[3].GetProperty("target").TryGetProperty("tag", out _));
        Assert.Equal(image.Digest, Text(app[3], "target.digest"));

        var other = events.Where(e => Text(e, "target.repository") == "team/other").ToList();
        Assert.Equal(["mount", "delete"], other.Select(e => Text(e, "action")));
        Assert.Equal(image.Layers[0].Digest, Text(other[0], "target.digest"));
        Assert.Equal(image.Layers[0].Size, other[0].GetProperty("target").GetProperty("size").GetInt64());
        Assert.False(other[1].GetProperty("target").TryGetProperty("digest", out _));

        var listed = await hooks.ListAsync("?repository=team/app");
        Assert.Equal(["manifest.delete", "manifest.push", "tag.delete", "manifest.push"], listed.Select(d => d.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task CloudEvents_endpoints_get_structured_cloudevents()
    {
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?> { ["Webhooks:Endpoints:0:Format"] = "cloudevents" });
        var image = await hooks.Registry.PushImageAsync("team/app", "v1");
        await hooks.DrainAsync();

        var delivery = Assert.Single(hooks.Receiver.Accepted);
        Assert.Equal("application/cloudevents+json", delivery.ContentType);
        Assert.True(WebhookHarness.SignatureIsValid(delivery, WebhookHarness.Secret));
        var e = WebhookHarness.Parse(delivery.Body);
        Assert.Equal("1.0", Text(e, "specversion"));
        Assert.Equal("io.wharf.manifest.push", Text(e, "type"));
        Assert.Equal("team/app", Text(e, "subject"));
        Assert.Equal(delivery.Headers["Wharf-Event-Id"], Text(e, "id"));
        Assert.Equal(image.Digest, Text(e, "data.digest"));
        Assert.Equal("v1", Text(e, "data.tag"));
        Assert.Equal("alice", Text(e, "data.actor"));
    }

    [Fact]
    public async Task Filters_choose_which_endpoints_get_an_event()
    {
        await using var hooks = await WebhookHarness.StartAsync(new Dictionary<string, string?>
        {
            ["Webhooks:Endpoints:0:Repositories:0"] = "team/app*",
            ["Webhooks:Endpoints:0:Actions:0"] = "tag.delete",
            ["Webhooks:Endpoints:1:Name"] = "indexes",
            ["Webhooks:Endpoints:1:Url"] = WebhookHarness.ReceiverUrl + "/indexes",
            ["Webhooks:Endpoints:1:MediaTypes:0"] = MediaTypes.OciIndex,
        });
        var image = await hooks.Registry.PushImageAsync("team/app", "v1");
        await hooks.Registry.PushImageAsync("team/lib", "v1");
        await hooks.Registry.PushManifestAsync("team/lib", "multi", OciLayoutJson.Index([]), MediaTypes.OciIndex);
        using (await hooks.Registry.DeleteAsync("/v2/team/app/manifests/v1"))
        {
        }

        using (await hooks.Registry.DeleteAsync("/v2/team/lib/manifests/v1"))
        {
        }

        await hooks.DrainAsync();

        var ci = hooks.AcceptedEvents("/events");
        var tagDelete = Assert.Single(ci);
        Assert.Equal("delete", Text(tagDelete, "action"));
        Assert.Equal("team/app", Text(tagDelete, "target.repository"));
        Assert.Equal(image.Digest, Text(tagDelete, "target.digest"));

        // Media type filters pass events without a media type (deletes) and keep pushes of other types out.
        var indexes = hooks.AcceptedEvents("/events/indexes");
        Assert.Equal(["delete", "delete", "push"], indexes.Select(e => Text(e, "action")).Order(StringComparer.Ordinal));
        Assert.Equal(MediaTypes.OciIndex, Text(indexes.Single(e => Text(e, "action") == "push"), "target.mediaType"));
    }
}
