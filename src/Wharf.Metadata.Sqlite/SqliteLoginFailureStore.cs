using System.Data.Common;
using System.Globalization;
using System.Text;

namespace Wharf.Metadata.Sqlite;

/// <summary>SQLite's statements over a list of keys: one bound parameter per key (SQLite has no arrays).</summary>
public sealed class SqliteLoginFailureStore(SqliteDatabase database) : SqlLoginFailureStore(database)
{
    protected override DbCommand InsertCommand(DbConnection connection, DbTransaction? transaction, IReadOnlyList<string> keys, long at)
    {
        var sql = new StringBuilder("INSERT INTO login_failures (throttle_key, failed_at) VALUES ");
        var command = connection.Command("", transaction).With("@t", at);
        for (var i = 0; i < keys.Count; i++)
        {
            sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}(@k{i}, @t)");
            command.With("@k" + i.ToString(CultureInfo.InvariantCulture), keys[i]);
        }

        command.CommandText = sql.ToString();
        return command;
    }

    protected override DbCommand NthLatestCommand(DbConnection connection, IReadOnlyList<string> keys, long since, int skip)
    {
        // One indexed probe per key: walk its failures newest first and take the (skip+1)-th.
        var command = connection.Command("").With("@since", since).With("@skip", skip);
        var probes = new List<string>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var name = "@k" + i.ToString(CultureInfo.InvariantCulture);
            command.With(name, keys[i]);
            probes.Add($"SELECT (SELECT failed_at FROM login_failures WHERE throttle_key = {name} AND failed_at > @since ORDER BY failed_at DESC LIMIT 1 OFFSET @skip) AS t");
        }

        command.CommandText = $"SELECT MAX(t) FROM ({string.Join(" UNION ALL ", probes)})";
        return command;
    }
}
