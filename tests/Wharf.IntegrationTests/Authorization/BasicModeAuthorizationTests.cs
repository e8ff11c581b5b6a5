using Wharf.IntegrationTests.Infrastructure;

namespace Wharf.IntegrationTests.Authorization;

/// <summary>The authorization matrix in basic mode (<see cref="BasicModeMatrix"/>), on one server for the class (<see cref="BasicModeMatrixServer"/>).</summary>
public sealed class BasicModeAuthorizationTests(BasicModeMatrixServer matrix) : IClassFixture<BasicModeMatrixServer>
{
    [Fact]
    public void Every_mapped_endpoint_and_registry_route_has_a_row()
    {
        Assert.Empty(EndpointInventory.Uncovered(matrix.Server, BasicModeMatrix.Rows));
        Assert.Empty(EndpointInventory.Unknown(matrix.Server, BasicModeMatrix.Rows));
    }

    [Fact]
    public async Task Every_cell_answers_as_the_table_says_and_no_refusal_tells_whether_a_repository_exists()
    {
        var runner = new MatrixRunner(matrix.Http, new Registry(matrix.Server), matrix.Roles, "basic");
        await runner.RunAsync(BasicModeMatrix.Rows);

        Assert.True(runner.Failures.Count == 0, $"{runner.Failures.Count} cells differ from the table:\n{string.Join("\n", runner.Failures)}\n\nobserved:\n{string.Join("\n", runner.Observed)}");
        Assert.Equal(MatrixRoles.All.Where(r => r != MatrixRole.Admin), runner.Compared.Order()); // only the admin is never refused
    }
}
