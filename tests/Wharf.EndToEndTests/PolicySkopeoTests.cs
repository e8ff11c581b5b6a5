using Microsoft.Extensions.DependencyInjection;
using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests;

/// <summary>
/// A Wharf with an immutable-tag rule (<c>prod/**</c>, tags <c>v*</c>), a 16 KiB quota on namespace <c>small</c>, and a
/// retention rule keeping the two newest tags (and <c>latest</c>) of <c>ci/**</c>.
/// </summary>
public sealed class PolicyWharfFixture : RegistryFixture
{
    protected override async Task<ITestRegistry> StartRegistryAsync() => new WharfRegistry(await WharfTestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Policies:ImmutableTags:0:Repositories"] = "prod/**",
        ["Policies:ImmutableTags:0:Tags"] = "v*",
        ["Quotas:Namespaces:small"] = "16KiB",
        ["Retention:Rules:0:Repositories"] = "ci/**",
        ["Retention:Rules:0:KeepLast"] = "2",
        ["Retention:Rules:0:KeepTags"] = "^latest$",
    }));
}

/// <summary>skopeo meets Wharf's policies: the refusal reaches the user with Wharf's DENIED message.</summary>
public sealed class PolicySkopeoTests(PolicyWharfFixture fixture) : IClassFixture<PolicyWharfFixture>
{
    private readonly Skopeo _skopeo = new();

    [Fact]
    public async Task Copying_another_image_over_an_immutable_tag_fails_with_the_denied_message()
    {
        var release = fixture.SingleArchLayout("release");
        var other = fixture.SingleArchLayout("other");
        var reference = fixture.Ref("prod/app", "v1");
        var pushed = await _skopeo.PushAsync(release.SkopeoReference, reference, fixture.Temp.Path);

        var refused = await _skopeo.RunAsync("copy", "--src-tls-verify=false", "--dest-tls-verify=false", other.SkopeoReference, "docker://" + reference);

        Assert.False(refused.Succeeded, refused.Describe());
        Assert.Contains("denied", refused.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("is immutable under Policies:ImmutableTags[0]", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(pushed, (await fixture.Http.GetImageAsync("prod/app", "v1")).Root.Digest);
        // The same image again is fine.
        Assert.Equal(pushed, await _skopeo.PushAsync(release.SkopeoReference, reference, fixture.Temp.Path));
    }

    [Fact]
    public async Task A_push_above_the_namespace_quota_fails_with_the_quota_message()
    {
        var image = fixture.SingleArchLayout("big", dataBytes: 64 * 1024);

        var refused = await _skopeo.RunAsync("copy", "--src-tls-verify=false", "--dest-tls-verify=false", image.SkopeoReference, "docker://" + fixture.Ref("small/app", "v1"));

        Assert.False(refused.Succeeded, refused.Describe());
        Assert.Contains("quota exceeded: namespace small uses", refused.Stderr, StringComparison.Ordinal);
        Assert.Contains("(16384 bytes)", refused.Stderr, StringComparison.Ordinal);
        var layer = image.Image.LayerDigests[0];
        using var http = new HttpClient { BaseAddress = fixture.Registry.BaseAddress };
        using var head = await http.SendAsync(new HttpRequestMessage(HttpMethod.Head, $"/v2/small/app/blobs/{layer}"));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, head.StatusCode);
    }

    [Fact]
    public async Task Deleting_an_immutable_tag_with_skopeo_fails_with_the_denied_message()
    {
        var release = fixture.SingleArchLayout("kept-release");
        var reference = fixture.Ref("prod/kept", "v2");
        var pushed = await _skopeo.PushAsync(release.SkopeoReference, reference, fixture.Temp.Path);

        var refused = await _skopeo.RunAsync("delete", "--tls-verify=false", "docker://" + reference);

        Assert.False(refused.Succeeded, refused.Describe());
        Assert.Contains("is immutable under Policies:ImmutableTags[0]", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(pushed, (await fixture.Http.GetImageAsync("prod/kept", "v2")).Root.Digest);
    }

    [Fact]
    public async Task Retention_keeps_what_its_rule_says_and_skopeo_sees_the_rest_gone()
    {
        foreach (var tag in new[] { "build-1", "build-2", "latest", "build-3", "build-4" })
        {
            await _skopeo.PushAsync(fixture.SingleArchLayout("ci-" + tag).SkopeoReference, fixture.Ref("ci/app", tag), fixture.Temp.Path);
        }

        using var http = new HttpClient { BaseAddress = fixture.Registry.BaseAddress };
        using (var dryRun = await http.PostAsync(new Uri("/api/retention/run?dryRun=true", UriKind.Relative), null))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, dryRun.StatusCode);
        }

        Assert.Equal(["build-1", "build-2", "build-3", "build-4", "latest"], await ListTagsAsync());
        using (var run = await http.PostAsync(new Uri("/api/retention/run?dryRun=false", UriKind.Relative), null))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, run.StatusCode);
        }

        Assert.Equal(["build-3", "build-4", "latest"], await ListTagsAsync()); // the two newest, and latest by its pattern
        var gone = await _skopeo.RunAsync("inspect", "--tls-verify=false", "docker://" + fixture.Ref("ci/app", "build-1"));
        Assert.False(gone.Succeeded, gone.Describe());
    }

    [Fact]
    public async Task Retention_by_age_deletes_old_tags_skopeo_has_not_pulled_lately()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await WharfTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Retention:Rules:0:Repositories"] = "aged/**",
            ["Retention:Rules:0:DeleteOlderThan"] = "7d",
            ["Retention:Rules:0:KeepPulledWithin"] = "1d",
        }, time);
        foreach (var tag in new[] { "pulled", "forgotten" })
        {
            await _skopeo.PushAsync(fixture.SingleArchLayout("aged-" + tag).SkopeoReference, $"{server.Authority}/aged/app:{tag}", fixture.Temp.Path);
        }

        time.Advance(TimeSpan.FromDays(8));
        await _skopeo.RunCheckedAsync("inspect", "--tls-verify=false", $"docker://{server.Authority}/aged/app:pulled");
        await server.Services.GetRequiredService<Wharf.Core.Services.UsageRecorder>().FlushAsync(CancellationToken.None);
        using (var run = await server.Client.PostAsync(new Uri("/api/retention/run?dryRun=false", UriKind.Relative), null))
        {
            Assert.Equal(System.Net.HttpStatusCode.OK, run.StatusCode);
        }

        var listed = await _skopeo.RunCheckedAsync("list-tags", "--tls-verify=false", $"docker://{server.Authority}/aged/app");
        using var document = System.Text.Json.JsonDocument.Parse(listed.Stdout);
        Assert.Equal(["pulled"], document.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!));
    }

    private async Task<List<string>> ListTagsAsync()
    {
        var listed = await _skopeo.RunCheckedAsync("list-tags", "--tls-verify=false", $"docker://{fixture.Authority}/ci/app");
        using var document = System.Text.Json.JsonDocument.Parse(listed.Stdout);
        return [.. document.RootElement.GetProperty("Tags").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal)];
    }
}
