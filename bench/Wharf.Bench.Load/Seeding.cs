using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace Wharf.Bench.Load;

/// <summary>Offline seeding of 100,000 repositories, straight into each registry's storage (HTTP would take too long).</summary>
public static class Seeding
{
    /// <summary>Name of the i-th seeded repository; lexical order = numeric order.</summary>
    public static string Name(string prefix, int i) => prefix + "/r" + i.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>Inserts rows into Wharf's <c>repositories</c> table (the schema must already exist: start Wharf once first).</summary>
    public static string SeedWharfDatabase(Options o)
    {
        var count = o.Int("count", 100_000);
        var prefix = o.Get("prefix", "seed");
        var sw = Stopwatch.StartNew();
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = o.Get("db"), Mode = SqliteOpenMode.ReadWrite, Pooling = false }.ToString()))
        {
            connection.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO repositories (name, created_at) VALUES ($n, $t)";
            var name = insert.Parameters.Add("$n", SqliteType.Text);
            insert.Parameters.AddWithValue("$t", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            insert.Prepare();
            for (var i = 0; i < count; i++)
            {
                name.Value = Name(prefix, i);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return Util.Json(("repositories", count), ("seconds", Util.Round(sw.Elapsed.TotalSeconds, 3)), ("seeded_by", "SQLite INSERT into repositories (offline)"));
    }

    /// <summary>Creates docker/registry/v2/repositories/PREFIX/rNNNNNN/_layers under ROOT: Distribution 2.8 lists a directory holding _layers as a repository (an empty _manifests is not enough).</summary>
    public static string SeedDistributionDirectories(Options o)
    {
        var count = o.Int("count", 100_000);
        var prefix = o.Get("prefix", "seed");
        var root = Path.Combine(o.Get("root"), "docker", "registry", "v2", "repositories");
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < count; i++)
        {
            Directory.CreateDirectory(Path.Combine(root, Name(prefix, i), "_layers"));
        }

        return Util.Json(("repositories", count), ("seconds", Util.Round(sw.Elapsed.TotalSeconds, 3)), ("seeded_by", "mkdir <name>/_layers (offline)"));
    }
}
