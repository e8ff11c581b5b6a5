using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Sqlite;

/// <summary>A SQLite store holding 100,000 repositories, seeded once for the test class.</summary>
public sealed class HundredThousandRepositories : IAsyncLifetime
{
    public const int Count = 100_000;
    private readonly TempDirectory _temp = new("wharf-db");
    private SqliteDatabase? _database;

    public SqliteDatabase Database => _database!;

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));
        await _database.MigrateAsync(CancellationToken.None);
        await _database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                WITH RECURSIVE i (n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM i WHERE n < $count)
                INSERT INTO repositories (name, created_at, description)
                SELECT 'team' || (n % 100) || '/service-' || n, 0, 'Service number ' || n || ' of team ' || (n % 100) FROM i;
                UPDATE repository_stats SET pull_count = repository_id % 1000, last_pushed_at = repository_id;
                """;
            insert.Parameters.AddWithValue("$count", Count);
            await insert.ExecuteNonQueryAsync();
            await using var analyze = connection.CreateCommand();
            analyze.Transaction = transaction;
            analyze.CommandText = "ANALYZE";
            await analyze.ExecuteNonQueryAsync();
            return true;
        }, CancellationToken.None);
    }

    public Task DisposeAsync()
    {
        _database?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }
}

/// <summary>On 100,000 repositories, searches and sorted listings are answered from indexes, not by scanning.</summary>
public sealed class SqliteRepositorySearchPlanTests(HundredThousandRepositories seeded) : IClassFixture<HundredThousandRepositories>
{
    private SqliteDatabase Database => seeded.Database;

    [Theory]
    [InlineData("service-4242")]
    [InlineData("number 777 of")]
    [InlineData("Team42/Service-4242")]
    public async Task A_search_of_three_or_more_characters_uses_the_trigram_index(string text)
    {
        var plan = await PlanAsync(new RepositoryQuery(text, RepositorySort.Relevance));

        // "INDEX 0:M…" is FTS5 answering a MATCH constraint from its index.
        Assert.Contains(plan, step => step.StartsWith("SCAN s VIRTUAL TABLE INDEX 0:M", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.StartsWith("SCAN r", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(RepositorySort.Name, false, "sqlite_autoindex_repositories_1")]
    [InlineData(RepositorySort.Name, true, "sqlite_autoindex_repositories_1")]
    [InlineData(RepositorySort.Pulls, false, "repository_stats_by_pulls")]
    [InlineData(RepositorySort.Pulls, true, "repository_stats_by_pulls")]
    [InlineData(RepositorySort.Pushed, false, "repository_stats_by_push")]
    [InlineData(RepositorySort.Pushed, true, "repository_stats_by_push")]
    public async Task Sorted_listings_read_an_index_in_order(RepositorySort sort, bool reverse, string index)
    {
        var plan = await PlanAsync(new RepositoryQuery(null, sort, reverse));

        Assert.Contains(plan, step => step.Contains(index, StringComparison.Ordinal));
        Assert.DoesNotContain(plan, step => step.Contains("TEMP B-TREE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Searches_find_the_right_repositories_among_100000()
    {
        var search = new SqliteRepositorySearch(Database);

        Assert.Equal(["team42/service-4242"], await search.ListNamesAsync(new RepositoryQuery("team42/service-4242", RepositorySort.Relevance), 0, 1, CancellationToken.None));
        // Every name holding service-4242 starts a segment with it: the most pulled of them come first.
        Assert.Equal(["team29/service-42429", "team28/service-42428"], await search.ListNamesAsync(new RepositoryQuery("service-4242", RepositorySort.Relevance), 0, 2, CancellationToken.None));
        Assert.Equal(1000, await search.CountAsync(new RepositoryQuery("team7/", RepositorySort.Relevance), CancellationToken.None));
        Assert.Equal(HundredThousandRepositories.Count, await search.CountAsync(new RepositoryQuery(null, RepositorySort.Name), CancellationToken.None));
        var top = await search.ListNamesAsync(new RepositoryQuery(null, RepositorySort.Pulls), 0, 2, CancellationToken.None);
        Assert.Equal(["team99/service-10999", "team99/service-11999"], top);
    }

    private async Task<List<string>> PlanAsync(RepositoryQuery query)
    {
        await using var connection = await Database.OpenAsync(CancellationToken.None);
        await using var command = new SqliteRepositorySearch(Database).Select(connection, query).With("@o", 0).With("@n", 25);
        command.CommandText = "EXPLAIN QUERY PLAN " + command.CommandText;
        await using var reader = await command.ExecuteReaderAsync();
        var steps = new List<string>();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }

        return steps;
    }
}
