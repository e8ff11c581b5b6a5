using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Time.Testing;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Api;

/// <summary>
/// The tag, image and file endpoints under basic auth (<see cref="AuthSettings"/>): alice may do everything in team/**,
/// bob (group readers) may pull there, carol may do nothing there; everyone may pull public/**.
/// </summary>
public sealed class ApiImagePermissionTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;
    private string _layer = "";

    private WharfTestServer Server => _server!;

    public async Task InitializeAsync()
    {
        _server = await WharfTestServer.StartAsync(AuthSettings.For("basic"), _time);
        await AuthSettings.AddUsersAsync(Server);
        using var alice = Client("alice");
        var image = OciLayoutBuilder.CreateImage("permissions");
        foreach (var repository in new[] { "team/app", "public/app" })
        {
            foreach (var blob in new[] { image.ConfigBytes }.Concat(image.Layers.Select(l => l.Compressed)))
            {
                await PushBlobAsync(alice, repository, blob);
            }

            using var manifest = new ByteArrayContent(image.ManifestBytes);
            manifest.Headers.ContentType = new MediaTypeHeaderValue(MediaTypes.OciManifest);
            using var put = await alice.PutAsync($"/v2/{repository}/manifests/v1", manifest);
            Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        }

        _layer = image.Layers[0].Digest;
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    public static TheoryData<string> Reads => new()
    {
        "/api/tags/{0}",
        "/api/image/{0}?reference=v1",
        "/api/files/{0}?digest={1}",
    };

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task A_user_who_may_not_pull_gets_the_same_answer_as_for_an_unknown_repository(string template)
    {
        using var carol = Client("carol");

        var (status, body) = await GetAsync(carol, string.Format(template, "team/app", _layer));
        var (unknownStatus, unknownBody) = await GetAsync(carol, string.Format(template, "team/nothing-here", _layer));

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains("NAME_UNKNOWN", body, StringComparison.Ordinal);
        Assert.Equal(unknownStatus, status);
        Assert.Equal(unknownBody, body);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task An_anonymous_caller_gets_401_for_a_private_repository_whether_or_not_it_exists(string template)
    {
        using var anonymous = Client(null);

        var (status, body) = await GetAsync(anonymous, string.Format(template, "team/app", _layer));
        var (unknownStatus, unknownBody) = await GetAsync(anonymous, string.Format(template, "team/nothing-here", _layer));

        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(unknownStatus, status);
        Assert.Equal(unknownBody, body);
        Assert.Contains("UNAUTHORIZED", body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Reads))]
    public async Task Readers_and_anonymous_callers_of_public_repositories_get_answers(string template)
    {
        using var bob = Client("bob");
        using var anonymous = Client(null);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(bob, string.Format(template, "team/app", _layer))).Status);
        Assert.Equal(HttpStatusCode.OK, (await GetAsync(anonymous, string.Format(template, "public/app", _layer))).Status);
    }

    [Fact]
    public async Task Deleting_a_tag_needs_delete()
    {
        using var bob = Client("bob");
        using var carol = Client("carol");
        using var anonymous = Client(null);
        using var alice = Client("alice");

        using (var denied = await bob.DeleteAsync("/api/tags/team/app?tag=v1"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
            Assert.Contains("DENIED", await denied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var hidden = await carol.DeleteAsync("/api/tags/team/app?tag=v1"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hidden.StatusCode);
            Assert.Contains("NAME_UNKNOWN", await hidden.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // With a digest the tag does not point to, the refusal still comes first: the tag's state is not revealed.
        var elsewhere = "sha256:" + new string('0', 64);
        using (var deniedIf = await bob.DeleteAsync($"/api/tags/team/app?tag=v1&digest={elsewhere}"))
        {
            Assert.Equal(HttpStatusCode.Forbidden, deniedIf.StatusCode);
        }

        using (var hiddenIf = await carol.DeleteAsync($"/api/tags/team/app?tag=v1&digest={elsewhere}"))
        {
            Assert.Equal(HttpStatusCode.NotFound, hiddenIf.StatusCode);
            Assert.Contains("NAME_UNKNOWN", await hiddenIf.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        using (var unauthenticated = await anonymous.DeleteAsync("/api/tags/public/app?tag=v1"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(bob, "/api/image/team/app?reference=v1")).Status);
        using (var deleted = await alice.DeleteAsync("/api/tags/team/app?tag=v1"))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await GetAsync(bob, "/api/image/team/app?reference=v1")).Status);
    }

    [Fact]
    public async Task The_web_session_cookie_carries_the_same_rights()
    {
        // The cookie is sent by hand: it expires by the server's fake clock, which a cookie container would hold against it.
        using var client = Client(null);
        using var signIn = await client.PostAsync("/api/session", JsonContent("""{"username":"bob","password":"bob-password"}"""));
        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        client.DefaultRequestHeaders.Add("Cookie", signIn.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);

        Assert.Equal(HttpStatusCode.OK, (await GetAsync(client, "/api/tags/team/app")).Status);
        using var denied = await client.DeleteAsync("/api/tags/team/app?tag=v1");
        Assert.Equal(HttpStatusCode.Forbidden, denied.StatusCode);
    }

    private HttpClient Client(string? user) =>
        ApiClient.CookielessHttpClient(Server, user is null ? null : Accounts.Basic(user, user + "-password"));

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static async Task PushBlobAsync(HttpClient client, string repository, byte[] blob)
    {
        using var content = new ByteArrayContent(blob);
        using var post = await client.PostAsync($"/v2/{repository}/blobs/uploads/?digest={Digests.Sha256(blob)}", content);
        Assert.Equal(HttpStatusCode.Created, post.StatusCode);
    }

    private static StringContent JsonContent(string json) => new(json, System.Text.Encoding.UTF8, "application/json");
}
