using Npgsql;
using Wharf.Core.Metadata;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.PostgreSql;

/// <summary>A PostgreSQL schema holding 100,000 repositories, seeded once for the test class.</summary>
public sealed class HundredThousandPostgreSqlRepositories : IAsyncLifetime
{
    public const int Count = 100_000;
    private PostgreSqlDatabase? _database;

    public PostgreSqlDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        _database = new PostgreSqlDatabase(TestEngines.PostgreSql, TestEngines.UniqueName("search"));
        await _database.MigrateAsync(CancellationToken.None);
        await using var connection = await _database.OpenAsync(CancellationToken.None);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO repositories (name, created_at, description)
            SELECT 'team' || (n % 100) || '/service-' || n, 0, 'Service number ' || n || ' of team ' || (n % 100)
            FROM generate_series(1, @count) AS n;
            UPDATE repository_stats SET pull_count = repository_id % 1000, last_pushed_at = repository_id;
            """, connection);
        insert.Parameters.AddWithValue("count", Count);
        insert.CommandTimeout = 600;
        await insert.ExecuteNonQueryAsync();
        // As autovacuum would: merges the trigram indexes' pending lists and gathers statistics.
        await using var vacuum = new NpgsqlCommand("VACUUM ANALYZE repositories, repository_stats", connection) { CommandTimeout = 600 };
        await vacuum.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DropSchemaAsync(CancellationToken.None);
            await _database.DisposeAsync();
        }
    }
}

/// <summary>On 100,000 repositories, searches use the pg_trgm indexes and sorted listings read an index in order.</summary>
public sealed class PostgreSqlRepositorySearchPlanTests(HundredThousandPostgreSqlRepositories seeded) : IClassFixture<HundredThousandPostgreSqlRepositories>
{
    [Theory]
    [InlineData("service-4242")]
    [InlineData("number 777 of")]
    [InlineData("Team42/Service-4242")]
    public async Task A_search_uses_the_trigram_indexes_of_names_and_descriptions(string text)
    {
        var plan = await PlanAsync(new RepositoryQuery(text, RepositorySort.Relevance));

        Assert.Contains("repositories_name_trgm", plan, StringComparison.Ordinal);
        Assert.Contains("repositories_description_trgm", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(RepositorySort.Name, false, "repositories_name_key")]
    [InlineData(RepositorySort.Name, true, "repositories_name_key")]
    [InlineData(RepositorySort.Pulls, false, "repository_stats_by_pulls")]
    [InlineData(RepositorySort.Pulls, true, "repository_stats_by_pulls")]
    [InlineData(RepositorySort.Pushed, false, "repository_stats_by_push")]
    [InlineData(RepositorySort.Pushed, true, "repository_stats_by_push")]
    public async Task Sorted_listings_read_an_index_in_order(RepositorySort sort, bool reverse, string index)
    {
        var plan = await PlanAsync(new RepositoryQuery(null, sort, reverse));

        Assert.Contains(index, plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Sort", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_trigram_extension_lives_in_the_public_schema_shared_by_every_wharf_schema()
    {
        await using var connection = await seeded.Database.OpenAsync(CancellationToken.None);
        await using var command = new NpgsqlCommand("SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'pg_trgm'", connection);
        Assert.Equal("public", await command.ExecuteScalarAsync());
    }

    [Fact]
    public async Task Searches_find_the_right_repositories_among_100000()
    {
        var search = new PostgreSqlRepositorySearch(seeded.Database);

        Assert.Equal(["team42/service-4242"], await search.ListNamesAsync(new RepositoryQuery("team42/service-4242", RepositorySort.Relevance), 0, 1, CancellationToken.None));
        Assert.Equal(["team29/service-42429", "team28/service-42428"], await search.ListNamesAsync(new RepositoryQuery("service-4242", RepositorySort.Relevance), 0, 2, CancellationToken.None));
        Assert.Equal(1000, await search.CountAsync(new RepositoryQuery("team7/", RepositorySort.Relevance), CancellationToken.None));
        Assert.Equal(HundredThousandPostgreSqlRepositories.Count, await search.CountAsync(new RepositoryQuery(null, RepositorySort.Name), CancellationToken.None));
        Assert.Equal(["team99/service-10999", "team99/service-11999"], await search.ListNamesAsync(new RepositoryQuery(null, RepositorySort.Pulls), 0, 2, CancellationToken.None));
    }

    private async Task<string> PlanAsync(RepositoryQuery query)
    {
        await using var connection = await seeded.Database.OpenAsync(CancellationToken.None);
        await using var command = new PostgreSqlRepositorySearch(seeded.Database).Select(connection, query).With("@o", 0).With("@n", 25);
        command.CommandText = "EXPLAIN " + command.CommandText;
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string>();
        while (await reader.ReadAsync())
        {
            lines.Add(reader.GetString(0));
        }

        return string.Join('\n', lines);
    }
}
