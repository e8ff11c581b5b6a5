using Microsoft.Data.Sqlite;

namespace Wharf.Backup;

/// <summary>
/// A consistent copy of a live SQLite database, taken with SQLite's online backup API while servers keep writing to it
/// (a file copy of a WAL database in use may be torn or miss committed pages).
/// </summary>
public static class SqliteSnapshot
{
    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/> (replacing it only once the copy is whole). The
    /// copy uses a rollback journal, so that it is one self-contained file; Wharf switches it back to WAL when it opens it.
    /// </summary>
    public static void Take(string source, string destination)
    {
        var partial = destination + ".partial";
        File.Delete(partial);
        using (var live = Open(source, SqliteOpenMode.ReadWrite))
        using (var copy = Open(partial, SqliteOpenMode.ReadWriteCreate))
        {
            live.BackupDatabase(copy);
            using var journal = copy.CreateCommand();
            journal.CommandText = "PRAGMA journal_mode = DELETE";
            journal.ExecuteNonQuery();
        }

        File.Move(partial, destination, overwrite: true);
    }

    /// <summary>Copies a snapshot into place as a data directory's database, dropping the old file's WAL and shared memory.</summary>
    public static void Restore(string snapshot, string destination)
    {
        var partial = destination + ".restoring";
        File.Copy(snapshot, partial, overwrite: true);
        using (var check = Open(partial, SqliteOpenMode.ReadWrite))
        using (var command = check.CreateCommand())
        {
            command.CommandText = "PRAGMA quick_check";
            if (command.ExecuteScalar() is not "ok")
            {
                throw new InvalidDataException($"{snapshot} is not a sound SQLite database (quick_check failed)");
            }
        }

        File.Delete(destination + "-wal");
        File.Delete(destination + "-shm");
        File.Move(partial, destination, overwrite: true);
    }

    /// <summary>Whether the database at <paramref name="path"/> records any repository, blob, user or token.</summary>
    public static bool HoldsData(string path)
    {
        if (!File.Exists(path))
        {
            return false;
        }

        using var connection = Open(path, SqliteOpenMode.ReadOnly);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('repositories', 'blobs', 'users', 'access_tokens')";
        var tables = new List<string>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables)
        {
            command.CommandText = $"SELECT EXISTS (SELECT 1 FROM {table})";
            if (command.ExecuteScalar() is long and not 0)
            {
                return true;
            }
        }

        return false;
    }

    private static SqliteConnection Open(string path, SqliteOpenMode mode)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = mode, Pooling = false, DefaultTimeout = 30 }.ToString());
        connection.Open();
        return connection;
    }
}
