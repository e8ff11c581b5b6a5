using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Wharf.Metadata.Sqlite;

/// <summary>
/// The one writer's connection, open for the writer's life, which keeps each statement it runs prepared: a write
/// binds and steps a statement compiled once instead of compiling it again (about half of a small insert's cost on
/// this machine class, and every push runs a few dozen statements on the one writer).
/// </summary>
/// <remarks>
/// A command handed out is the caller's until disposed; disposing it gives it back with its statements kept. A
/// statement asked for while its command is still out (a reader open on it) gets a fresh command of its own, disposed
/// as usual. Texts built at run time, past <see cref="MaxStatements"/>, are not kept.
/// </remarks>
public sealed class WriterConnection(string connectionString) : SqliteConnection(connectionString), IStatementCache
{
    private const int MaxStatements = 256;
    private readonly Dictionary<string, KeptCommand> _kept = new(StringComparer.Ordinal);

    public DbCommand Command(string sql, DbTransaction? transaction)
    {
        if (_kept.TryGetValue(sql, out var kept))
        {
            if (!kept.Out)
            {
                kept.Out = true;
                kept.Parameters.Clear();
                kept.Transaction = (SqliteTransaction?)transaction;
                if (!string.Equals(kept.CommandText, sql, StringComparison.Ordinal))
                {
                    kept.CommandText = sql; // the caller changed it last time: compiled again
                }

                return kept;
            }
        }
        else if (_kept.Count < MaxStatements && sql.Length > 0)
        {
            kept = new KeptCommand(sql, this) { Out = true, Transaction = (SqliteTransaction?)transaction };
            _kept.Add(sql, kept);
            return kept;
        }

        return new SqliteCommand(sql, this, (SqliteTransaction?)transaction);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            foreach (var kept in _kept.Values)
            {
                kept.Release();
            }

            _kept.Clear();
        }

        base.Dispose(disposing);
    }

    /// <summary>A command whose disposal gives it back to the connection, statements and all.</summary>
    private sealed class KeptCommand(string sql, SqliteConnection connection) : SqliteCommand(sql, connection)
    {
        private bool _released;

        public bool Out { get; set; }

        public void Release()
        {
            _released = true;
            Dispose();
        }

        protected override void Dispose(bool disposing)
        {
            if (_released || !disposing)
            {
                base.Dispose(disposing);
                return;
            }

            Transaction = null;
            Out = false;
        }
    }
}
