using Wharf.EndToEndTests.Clients;
using Wharf.EndToEndTests.Infrastructure;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests;

/// <summary>A Wharf with an immutable-tag rule (<c>prod/**</c>, tags <c>v*</c>) and a 16 KiB quota on namespace <c>small</c>.</summary>
public sealed class PolicyWharfFixture : RegistryFixture
{
    protected override async Task<ITestRegistry> StartRegistryAsync() => new WharfRegistry(await WharfTestServer.StartAsync(new Dictionary<string, string?>
    {
        ["Policies:ImmutableTags:0:Repositories"] = "prod/**",
        ["Policies:ImmutableTags:0:Tags"] = "v*",
        ["Quotas:Namespaces:small"] = "16KiB",
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
}
