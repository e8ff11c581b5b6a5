using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Wharf.Bench.Search;
using Wharf.Core.Metadata;
using Wharf.Core.Services;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;
using Wharf.Metadata.Sqlite;

// Search latency on a large catalog, through RepositoryService (what /api/repositories and /v1/search call),
// on SQLite and, when a connection string is given, PostgreSQL. The stores are seeded directly (SQL).
//   dotnet run -c Release --project bench/Wharf.Bench.Search -- [repositories=100000] [iterations=100] [postgres="Host=…"]
var options = args.Select(a => a.Split('=', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
var count = int.Parse(options.GetValueOrDefault("repositories", "100000"), CultureInfo.InvariantCulture);
var iterations = int.Parse(options.GetValueOrDefault("iterations", "100"), CultureInfo.InvariantCulture);
var postgres = options.GetValueOrDefault("postgres") ?? Environment.GetEnvironmentVariable("WHARF_TEST_POSTGRES");
var maxCandidates = int.Parse(options.GetValueOrDefault("maxCandidates", new SearchOptions().MaxCandidates.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
var sqliteOnly = options.ContainsKey("sqliteOnly");

Console.WriteLine($"# Repository search, {count:N0} repositories, {iterations} iterations per case (after 5 warm-up), Search:MaxCandidates {maxCandidates:N0}, {Environment.ProcessorCount} cores");
var work = Directory.CreateTempSubdirectory("wharf-bench-search").FullName;
try
{
    using (var sqlite = new SqliteDatabase(Path.Combine(work, "wharf.db")))
    {
        await sqlite.MigrateAsync(CancellationToken.None);
        var seeded = await Seed.SqliteAsync(sqlite, count);
        Console.WriteLine($"\n## SQLite (seeded in {seeded.TotalSeconds:F1} s)\n");
        await Cases.RunAsync(new SqliteRepositorySearch(sqlite), new SqlRepositoryInfoStore(sqlite), iterations, maxCandidates);
    }

    if (postgres is not null && !sqliteOnly)
    {
        var schema = "bench_search_" + Guid.NewGuid().ToString("N")[..8];
        await using var database = new PostgreSqlDatabase(new NpgsqlConnectionStringBuilder(postgres) { CommandTimeout = 600 }.ConnectionString, schema);
        try
        {
            await database.MigrateAsync(CancellationToken.None);
            var seeded = await Seed.PostgreSqlAsync(database, count);
            Console.WriteLine($"\n## PostgreSQL (seeded in {seeded.TotalSeconds:F1} s, then VACUUM ANALYZE)\n");
            await Cases.RunAsync(new PostgreSqlRepositorySearch(database), new SqlRepositoryInfoStore(database), iterations, maxCandidates);
        }
        finally
        {
            if (options.ContainsKey("keep"))
            {
                Console.WriteLine($"(kept schema {schema})");
            }
            else
            {
                await database.DropSchemaAsync(CancellationToken.None);
            }
        }
    }
    else
    {
        Console.WriteLine("\n(PostgreSQL skipped: pass postgres=<connection string> or set WHARF_TEST_POSTGRES)");
    }
}
finally
{
    Directory.Delete(work, recursive: true);
}

/// <summary>The cases measured, each a call of <see cref="RepositoryService.ListAsync"/> for one page of 25.</summary>
internal static class Cases
{
    public static async Task RunAsync(IRepositorySearch search, IRepositoryInfoStore info, int iterations, int maxCandidates)
    {
        var service = new RepositoryService(search, info, new SearchOptions { MaxCandidates = maxCandidates });
        // A caller who may pull one team's repositories out of eight (auth on): the service filters ranked candidates.
        Func<string, bool> oneTeam = name => name.StartsWith("platform/", StringComparison.Ordinal);
        (string Case, RepositoryQuery Query, Func<string, bool>? MayPull, int Page)[] cases =
        [
            ("exact name", new(Corpus.Repository(4242).Name, RepositorySort.Relevance), null, 1),
            ("rare substring (\"-4242\")", new("-4242", RepositorySort.Relevance), null, 1),
            ("common word (\"gateway\")", new("gateway", RepositorySort.Relevance), null, 1),
            ("description phrase (\"nightly; see\")", new("nightly; see", RepositorySort.Relevance), null, 1),
            ("two letters (\"ap\", no trigram)", new("ap", RepositorySort.Relevance), null, 1),
            ("no query, by name, page 400", new(null, RepositorySort.Name), null, 400),
            ("no query, by pulls", new(null, RepositorySort.Pulls), null, 1),
            ("no query, by last push", new(null, RepositorySort.Pushed), null, 1),
            ("auth on: rare substring", new("-4242", RepositorySort.Relevance), oneTeam, 1),
            ("auth on: common word (\"gateway\")", new("gateway", RepositorySort.Relevance), oneTeam, 1),
            ("auth on: no query, by name", new(null, RepositorySort.Name), oneTeam, 1),
        ];

        Console.WriteLine("| case | matches (visible) | p50 ms | p95 ms | max ms |");
        Console.WriteLine("|---|---:|---:|---:|---:|");
        foreach (var (name, query, mayPull, page) in cases)
        {
            RepositoryPage? last = null;
            var times = new List<double>(iterations);
            for (var i = 0; i < iterations + 5; i++)
            {
                var started = Stopwatch.GetTimestamp();
                last = await service.ListAsync(query, page, 25, mayPull, CancellationToken.None);
                if (i >= 5)
                {
                    times.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
            }

            times.Sort();
            var total = last!.TotalIsExact ? last.Total.ToString("N0", CultureInfo.InvariantCulture) : "≥ " + last.Total.ToString("N0", CultureInfo.InvariantCulture);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {name} | {total} | {times[times.Count / 2]:F2} | {times[(int)(times.Count * 0.95)]:F2} | {times[^1]:F2} |"));
        }
    }
}

/// <summary>Direct seeding: one INSERT per repository in one transaction; the store's triggers make the stats and search rows.</summary>
internal static class Seed
{
    public static async Task<TimeSpan> SqliteAsync(SqliteDatabase database, int count)
    {
        var clock = Stopwatch.StartNew();
        await database.WriteAsync(async (connection, transaction) =>
        {
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO repositories (name, created_at, description) VALUES ($n, 0, $d)";
            var name = insert.Parameters.Add("$n", Microsoft.Data.Sqlite.SqliteType.Text);
            var description = insert.Parameters.Add("$d", Microsoft.Data.Sqlite.SqliteType.Text);
            await using var stats = connection.CreateCommand();
            stats.Transaction = transaction;
            stats.CommandText = "UPDATE repository_stats SET pull_count = $p, last_pushed_at = $t WHERE repository_id = last_insert_rowid()";
            var pulls = stats.Parameters.Add("$p", Microsoft.Data.Sqlite.SqliteType.Integer);
            var pushed = stats.Parameters.Add("$t", Microsoft.Data.Sqlite.SqliteType.Integer);
            for (var i = 0; i < count; i++)
            {
                var repository = Corpus.Repository(i);
                (name.Value, description.Value, pulls.Value, pushed.Value) = (repository.Name, repository.Description, repository.Pulls, repository.PushedAt);
                await insert.ExecuteNonQueryAsync();
                await stats.ExecuteNonQueryAsync();
            }

            await using var analyze = connection.CreateCommand();
            analyze.Transaction = transaction;
            analyze.CommandText = "ANALYZE";
            await analyze.ExecuteNonQueryAsync();
            return true;
        }, CancellationToken.None);
        return clock.Elapsed;
    }

    public static async Task<TimeSpan> PostgreSqlAsync(PostgreSqlDatabase database, int count)
    {
        var clock = Stopwatch.StartNew();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var rows = Enumerable.Range(0, count).Select(Corpus.Repository).ToList();
        await using (var insert = new NpgsqlCommand("""
            INSERT INTO repositories (name, created_at, description) SELECT n, 0, d FROM unnest(@names, @descriptions) AS x (n, d);
            UPDATE repository_stats s SET pull_count = x.p, last_pushed_at = x.t FROM unnest(@names, @pulls, @pushed) AS x (n, p, t) WHERE s.name = x.n;
            """, connection) { CommandTimeout = 600 })
        {
            insert.Parameters.AddWithValue("names", rows.Select(r => r.Name).ToArray());
            insert.Parameters.AddWithValue("descriptions", rows.Select(r => r.Description).ToArray());
            insert.Parameters.AddWithValue("pulls", rows.Select(r => r.Pulls).ToArray());
            insert.Parameters.AddWithValue("pushed", rows.Select(r => r.PushedAt).ToArray());
            await insert.ExecuteNonQueryAsync();
        }

        await using (var vacuum = new NpgsqlCommand("VACUUM ANALYZE repositories, repository_stats", connection) { CommandTimeout = 600 })
        {
            await vacuum.ExecuteNonQueryAsync();
        }

        return clock.Elapsed;
    }
}
