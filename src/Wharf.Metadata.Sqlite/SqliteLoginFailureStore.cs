using System.Globalization;
using System.Text;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

public sealed class SqliteLoginFailureStore(SqliteDatabase database) : ILoginFailureStore
{
    /// <remarks>Not fsynced: a failure count lost with the power only gives a guesser a fresh window.</remarks>
    public async ValueTask RecordAsync(IReadOnlyList<string> keys, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return;
        }

        await database.WriteAsync(async (connection, transaction) =>
        {
            var sql = new StringBuilder("INSERT INTO login_failures (throttle_key, failed_at) VALUES ");
            await using var command = connection.Command("", transaction).With("$t", at.ToUnixTimeMilliseconds());
            for (var i = 0; i < keys.Count; i++)
            {
                sql.Append(CultureInfo.InvariantCulture, $"{(i == 0 ? "" : ", ")}($k{i}, $t)");
                command.With("$k" + i.ToString(CultureInfo.InvariantCulture), keys[i]);
            }

            command.CommandText = sql.ToString();
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);
    }

    public async ValueTask<DateTimeOffset?> NthLatestAsync(IReadOnlyList<string> keys, int count, DateTimeOffset since, CancellationToken cancellationToken)
    {
        if (keys.Count == 0)
        {
            return null;
        }

        // One indexed probe per key: walk its failures newest first and take the count-th.
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("").With("$since", since.ToUnixTimeMilliseconds()).With("$skip", count - 1);
        var probes = new List<string>(keys.Count);
        for (var i = 0; i < keys.Count; i++)
        {
            var name = "$k" + i.ToString(CultureInfo.InvariantCulture);
            command.With(name, keys[i]);
            probes.Add($"SELECT (SELECT failed_at FROM login_failures WHERE throttle_key = {name} AND failed_at > $since ORDER BY failed_at DESC LIMIT 1 OFFSET $skip) AS t");
        }

        command.CommandText = $"SELECT MAX(t) FROM ({string.Join(" UNION ALL ", probes)})";
        return await command.ExecuteScalarAsync(cancellationToken) is long at ? DateTimeOffset.FromUnixTimeMilliseconds(at) : null;
    }

    public ValueTask<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM login_failures WHERE failed_at <= $t", transaction).With("$t", before.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);
}
