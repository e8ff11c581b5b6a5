using System.Net;
using System.Text;
using System.Text.Json;
using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>The authorization matrix in token mode (<see cref="TokenModeMatrix"/>), on one server for the class (<see cref="TokenModeMatrixServer"/>).</summary>
public sealed class TokenModeAuthorizationTests(TokenModeMatrixServer matrix) : IClassFixture<TokenModeMatrixServer>
{
    [Fact]
    public void Every_mapped_endpoint_and_registry_route_has_a_row()
    {
        Assert.Empty(EndpointInventory.Uncovered(matrix.Server, TokenModeMatrix.Rows));
        Assert.Empty(EndpointInventory.Unknown(matrix.Server, TokenModeMatrix.Rows));
    }

    [Fact]
    public async Task Every_cell_answers_as_the_table_says_and_no_refusal_tells_whether_a_repository_exists()
    {
        var runner = new MatrixRunner(matrix.Http, new Registry(matrix.Server), matrix.Roles, "token");
        await runner.RunAsync(TokenModeMatrix.Rows);

        Assert.True(runner.Failures.Count == 0, $"{runner.Failures.Count} cells differ from the table:\n{string.Join("\n", runner.Failures)}\n\nobserved:\n{string.Join("\n", runner.Observed)}");
        Assert.Equal(MatrixRoles.All.Where(r => r != MatrixRole.Admin), runner.Compared.Order()); // only the admin is never refused
    }

    [Fact]
    public async Task A_stale_session_cookie_does_not_stand_in_the_way_of_signing_in_again()
    {
        var (user, password) = MatrixFixture.Login(MatrixRole.Admin);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/session")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { username = user, password }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Cookie", "wharf_session=" + matrix.Roles[MatrixRole.Expired].Session);

        using var response = await matrix.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("wharf_session=ey", response.Headers.GetValues("Set-Cookie").Single(), StringComparison.Ordinal);
    }
}
