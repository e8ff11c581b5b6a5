using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Wharf.Core.Storage;
using Wharf.Metadata;

namespace Wharf.Metadata.Sqlite;

/// <summary>
/// Small blobs in the <c>blob_bytes</c> table. A write is not flushed on its own: the one writer commits in WAL order, so
/// the link's durable commit that follows it flushes it too (docs/design/storage.md, "Small blobs").
/// </summary>
public sealed class SqliteInlineBlobStore(SqliteDatabase database) : IInlineBlobStore
{
    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT length(bytes), created_at FROM blob_bytes WHERE path = @p").With("@p", path);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        return reader.Read()
            ? new StorageObjectInfo(reader.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
    }

    public async ValueTask<InlineBlob?> GetAsync(string path, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT bytes, created_at FROM blob_bytes WHERE path = @p").With("@p", path);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        return reader.Read()
            ? new InlineBlob((byte[])reader.GetValue(0), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)))
            : null;
    }

    public ValueTask<bool> AddAsync(string path, ReadOnlyMemory<byte> bytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var copy = bytes.ToArray();
        return database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("INSERT INTO blob_bytes (path, bytes, created_at) VALUES (@p, @b, @t) ON CONFLICT (path) DO NOTHING", transaction)
                .With("@p", path).With("@b", copy).With("@t", now.ToUnixTimeMilliseconds());
            return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
        }, cancellationToken, durable: false);
    }

    /// <remarks>Not flushed on its own: bytes a power loss brings back have no link, and garbage collection finds them again.</remarks>
    public async ValueTask DeleteAsync(string path, CancellationToken cancellationToken) =>
        await database.WriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command("DELETE FROM blob_bytes WHERE path = @p OR (path > @p || '/' AND path < @p || '0')", transaction)
                .With("@p", path);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }, cancellationToken, durable: false);

    public async IAsyncEnumerable<string> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT path FROM blob_bytes WHERE path > @p || '/' AND path < @p || '0' ORDER BY path").With("@p", prefix);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        while (reader.Read())
        {
            yield return reader.GetString(0);
        }
    }
}
