using Npgsql;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// Upload sessions, shared by every instance. Each call is a single autocommitted statement; the advance is a
/// compare-and-set on the size, so two instances racing on one session cannot both win.
/// </summary>
public sealed class PostgreSqlUploadSessionStore(PostgreSqlDatabase database) : IUploadSessionStore
{
    private const string Columns = "id, repository, size, started_at, updated_at";

    public async ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(
            $"INSERT INTO upload_sessions ({Columns}) VALUES (@i, @r, @s, @b, @u)")
            .With("i", session.Id).With("r", session.Repository).With("s", session.Size)
            .With("b", session.StartedAt.ToUnixTimeMilliseconds()).With("u", session.UpdatedAt.ToUnixTimeMilliseconds());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async ValueTask<UploadSession?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM upload_sessions WHERE id = @i").With("i", id);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    public async ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE upload_sessions SET size = @n, updated_at = @u WHERE id = @i AND size = @e")
            .With("i", id).With("e", expectedSize).With("n", newSize).With("u", now.ToUnixTimeMilliseconds());
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    public async ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM upload_sessions WHERE id = @i").With("i", id);
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>
    /// Stale sessions. SKIP LOCKED lets the janitors of several instances walk the queue side by side without
    /// blocking on a row another instance is updating right now (a busy session is not stale anyway).
    /// </summary>
    public async ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {Columns} FROM upload_sessions WHERE updated_at < @b ORDER BY updated_at LIMIT @n FOR UPDATE SKIP LOCKED", transaction)
            .With("b", before.ToUnixTimeMilliseconds()).With("n", limit);
        var list = new List<UploadSession>();
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                list.Add(Read(reader));
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return list;
    }

    private static UploadSession Read(NpgsqlDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
        DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)));
}
