using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Wharf.Core.Storage;
using Wharf.Metadata;

namespace Wharf.Metadata.Sqlite;

/// <summary>
/// Small blobs in the <c>blob_bytes</c> table. A write is not flushed on its own: the one writer commits in WAL order, so
/// the link's durable commit that follows it flushes it too (docs/design/storage.md, "Small blobs").
/// </summary>
public sealed class SqliteInlineBlobStore(SqliteDatabase database) : IInlineBlobStore, IDisposable
{
    /// <summary>Kept readers beyond this many are closed when returned.</summary>
    private const int MaxIdleReaders = 4;
    private readonly ConcurrentBag<Reader> _readers = [];

    /// <remarks>
    /// On a kept connection with its statements prepared: a HEAD of a small blob asks this on every request, and
    /// preparing the query each time made HEAD a third slower than for a file.
    /// </remarks>
    public async ValueTask<StorageObjectInfo?> StatAsync(string path, CancellationToken cancellationToken)
    {
        var reader = await RentAsync(cancellationToken);
        try
        {
            reader.StatPath.Value = path;
            using var row = reader.Stat.ExecuteReader();
            return row.Read() ? new StorageObjectInfo(row.GetInt64(0), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1))) : null;
        }
        finally
        {
            Return(reader);
        }
    }

    public async ValueTask<InlineBlob?> GetAsync(string path, CancellationToken cancellationToken)
    {
        var reader = await RentAsync(cancellationToken);
        try
        {
            reader.GetPath.Value = path;
            using var row = reader.Get.ExecuteReader();
            return row.Read() ? new InlineBlob((byte[])row.GetValue(0), DateTimeOffset.FromUnixTimeMilliseconds(row.GetInt64(1))) : null;
        }
        finally
        {
            Return(reader);
        }
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
    public void Dispose()
    {
        while (_readers.TryTake(out var reader))
        {
            reader.Dispose();
        }
    }

    private async ValueTask<Reader> RentAsync(CancellationToken cancellationToken) =>
        _readers.TryTake(out var reader) ? reader : new Reader(await database.OpenAsync(cancellationToken));

    private void Return(Reader reader)
    {
        if (_readers.Count < MaxIdleReaders)
        {
            _readers.Add(reader);
        }
        else
        {
            reader.Dispose();
        }
    }

    /// <summary>A read connection of its own with the two point queries prepared once.</summary>
    private sealed class Reader : IDisposable
    {
        public Reader(SqliteConnection connection)
        {
            Connection = connection;
            (Stat, StatPath) = Prepare("SELECT length(bytes), created_at FROM blob_bytes WHERE path = @p");
            (Get, GetPath) = Prepare("SELECT bytes, created_at FROM blob_bytes WHERE path = @p");
        }

        public SqliteConnection Connection { get; }

        public SqliteCommand Stat { get; }

        public SqliteParameter StatPath { get; }

        public SqliteCommand Get { get; }

        public SqliteParameter GetPath { get; }

        public void Dispose()
        {
            Stat.Dispose();
            Get.Dispose();
            Connection.Dispose();
        }

        private (SqliteCommand, SqliteParameter) Prepare(string sql)
        {
            var command = Connection.CreateCommand();
            command.CommandText = sql;
            var parameter = command.Parameters.Add("@p", SqliteType.Text);
            command.Prepare();
            return (command, parameter);
        }
    }
}
