using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

public sealed class SqliteUploadSessionStore(SqliteDatabase database) : IUploadSessionStore
{
    public ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken) =>
        new(database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "INSERT INTO upload_sessions (id, repository, size, started_at, updated_at) VALUES ($i, $r, $s, $b, $u)", transaction)
                .With("$i", session.Id).With("$r", session.Repository).With("$s", session.Size)
                .With("$b", session.StartedAt.ToUnixTimeMilliseconds()).With("$u", session.UpdatedAt.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false).AsTask());

    public async ValueTask<UploadSession?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, repository, size, started_at, updated_at FROM upload_sessions WHERE id = $i").With("$i", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE upload_sessions SET size = $n, updated_at = $u WHERE id = $i AND size = $e", transaction)
                .With("$i", id).With("$e", expectedSize).With("$n", newSize).With("$u", now.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM upload_sessions WHERE id = $i", transaction).With("$i", id);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public async ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            "SELECT id, repository, size, started_at, updated_at FROM upload_sessions WHERE updated_at < $b ORDER BY updated_at LIMIT $n")
            .With("$b", before.ToUnixTimeMilliseconds()).With("$n", limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var list = new List<UploadSession>();
        while (await reader.ReadAsync(cancellationToken))
        {
            list.Add(Read(reader));
        }

        return list;
    }

    private static UploadSession Read(System.Data.Common.DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}
