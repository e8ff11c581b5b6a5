using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.IntegrationTests.Infrastructure;
using Wharf.TestKit;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>
/// The one credential of a removed user the matrix leaves out: an access token issued for the password is checked without
/// the database, so it lives out its <c>Auth:Token:Lifetime</c> (5 minutes) and no longer; the password itself is refused at once.
/// </summary>
public sealed class RemovedUserAccessTokenTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private WharfTestServer? _server;

    private WharfTestServer Server => _server!;

    public async Task InitializeAsync() => _server = await WharfTestServer.StartAsync(MatrixFixture.Settings("token"), _time);

    public async Task DisposeAsync() => await Server.DisposeAsync();

    [Fact]
    public async Task A_removed_users_token_issued_for_the_password_works_until_it_expires_and_no_longer()
    {
        var (user, password) = MatrixFixture.Login(MatrixRole.Writer);
        await Server.AddUserAsync(user, password);
        var tokens = new TokenClient(Server);
        var jwt = await tokens.TokenAsync(Accounts.Basic(user, password), $"repository:{MatrixFixture.Existing}:pull,push");

        Assert.True(await Server.Services.GetRequiredService<IUserStore>().DeleteAsync(user, CancellationToken.None));

        var (status, _, refused) = await tokens.GetAsync(Accounts.Basic(user, password));
        refused.Dispose();
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.Equal(HttpStatusCode.Accepted, await StartUploadAsync(jwt));

        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(31)); // Lifetime + ClockSkew, and a second
        Assert.Equal(HttpStatusCode.Unauthorized, await StartUploadAsync(jwt));
    }

    private async Task<HttpStatusCode> StartUploadAsync(string jwt)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/v2/{MatrixFixture.Existing}/blobs/uploads/");
        request.Headers.Authorization = Accounts.Bearer(jwt);
        using var response = await Server.Client.SendAsync(request);
        return response.StatusCode;
    }
}
