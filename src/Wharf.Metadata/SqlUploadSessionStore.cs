using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// Upload sessions, shared by every instance on one database. Each write is a single statement (see
/// <see cref="SqlDatabase.RunStatementAsync"/>) and not durable on SQLite: a session lost with the power makes the
/// client restart its upload. The advance is a compare-and-set on the size, so two instances racing on one
/// session cannot both win.
/// </summary>
public sealed class SqlUploadSessionStore(SqlDatabase database) : IUploadSessionStore
{
    private const string Columns = "id, repository, size, started_at, updated_at";

    public async ValueTask CreateAsync(UploadSession session, CancellationToken cancellationToken) =>
        await database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command($"INSERT INTO upload_sessions ({Columns}) VALUES (@i, @r, @s, @b, @u)", transaction)
                .With("@i", session.Id).With("@r", session.Repository).With("@s", session.Size)
                .With("@b", session.StartedAt.ToUnixTimeMilliseconds()).With("@u", session.UpdatedAt.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);

    public async ValueTask<UploadSession?> GetAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.Command($"SELECT {Columns} FROM upload_sessions WHERE id = @i").With("@i", id);
        return await database.ReadFirstAsync(command, Read, cancellationToken);
    }

    public ValueTask<bool> AdvanceAsync(string id, long expectedSize, long newSize, DateTimeOffset now, CancellationToken cancellationToken) =>
        database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("UPDATE upload_sessions SET size = @n, updated_at = @u WHERE id = @i AND size = @e", transaction)
                .With("@i", id).With("@e", expectedSize).With("@n", newSize).With("@u", now.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    public ValueTask<bool> DeleteAsync(string id, CancellationToken cancellationToken) =>
        database.RunStatementAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM upload_sessions WHERE id = @i", transaction).With("@i", id);
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);

    /// <summary>
    /// Stale sessions. On PostgreSQL, SKIP LOCKED lets the janitors of several instances walk the queue side by
    /// side without blocking on a row another instance is updating right now (a busy session is not stale anyway).
    /// </summary>
    public async ValueTask<IReadOnlyList<UploadSession>> ListStaleAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using var command = connection.Command(
            $"SELECT {Columns} FROM upload_sessions WHERE updated_at < @b ORDER BY updated_at LIMIT @n{database.SkipLocked}", transaction)
            .With("@b", before.ToUnixTimeMilliseconds()).With("@n", limit);
        var list = await database.ReadAllAsync(command, Read, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return list;
    }

    private static UploadSession Read(DbDataReader reader) => new(
        reader.GetString(0),
        reader.GetString(1),
        reader.GetInt64(2),
        reader.GetTime(3),
        reader.GetTime(4));
}
