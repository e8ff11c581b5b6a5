using Npgsql;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Cli;

/// <summary><c>wharf migrate</c> as an operator runs it before rolling out instances.</summary>
[Trait("Category", "ScaleOut")]
public sealed class MigrateCommandTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("wharf-cli-").FullName;

    [Fact]
    public async Task Migrate_creates_the_postgresql_schema_and_a_second_run_changes_nothing()
    {
        var schema = TestEngines.UniqueName("cli");
        var environment = new Dictionary<string, string>
        {
            ["WHARF_METADATA__DRIVER"] = "PostgreSql",
            ["WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING"] = TestEngines.PostgreSql,
            ["WHARF_METADATA__POSTGRESQL__SCHEMA"] = schema,
        };
        await using var database = new PostgreSqlDatabase(TestEngines.PostgreSql, schema);
        try
        {
            for (var run = 0; run < 2; run++)
            {
                await using var wharf = WharfProcess.Start(["migrate", "--data", Path.Combine(_work, "data")], environment);
                var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));
                Assert.True(exitCode == 0, $"exit code {exitCode}\n{wharf.Output}");
                Assert.Contains("metadata schema is up to date", wharf.Output, StringComparison.Ordinal);
            }

            var embedded = PostgreSqlDatabase.Migrations(typeof(PostgreSqlDatabase).Assembly).Select(m => m.Version);
            Assert.Equal(embedded, await database.AppliedVersionsAsync(CancellationToken.None));
            Assert.Contains(3, embedded); // 0003_shared_auth
        }
        finally
        {
            await database.DropSchemaAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Migrate_with_an_unreachable_database_fails_with_a_clear_message()
    {
        var environment = new Dictionary<string, string>
        {
            ["WHARF_METADATA__DRIVER"] = "PostgreSql",
            ["WHARF_METADATA__POSTGRESQL__CONNECTIONSTRING"] =
                new NpgsqlConnectionStringBuilder(TestEngines.PostgreSql) { Port = FreePort.Next(), Timeout = 2 }.ConnectionString,
        };

        await using var wharf = WharfProcess.Start(["migrate", "--data", Path.Combine(_work, "data")], environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.NotEqual(0, exitCode);
        Assert.Contains("Failed to connect", wharf.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
