using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// Repository search: running the listing and the count is shared; each engine writes the SQL that matches
/// its own index (FTS5 trigrams on SQLite, pg_trgm on PostgreSQL).
/// </summary>
public abstract class SqlRepositorySearch(SqlDatabase database) : IRepositorySearch
{
    public async ValueTask<IReadOnlyList<string>> ListNamesAsync(RepositoryQuery query, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = SelectCommand(connection, query).With("@o", offset).With("@n", limit);
        await using var reader = await database.ExecuteReaderAsync(command, cancellationToken);
        var names = new List<string>(Math.Min(limit, 1024));
        while (await reader.ReadAsync(cancellationToken))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    public async ValueTask<long> CountAsync(RepositoryQuery query, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = CountCommand(connection, query);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The listing's command, with every parameter but <c>@o</c> (offset) and <c>@n</c> (limit) bound.</summary>
    protected abstract DbCommand SelectCommand(DbConnection connection, RepositoryQuery query);

    /// <summary>The command counting every match of <paramref name="query"/>.</summary>
    protected abstract DbCommand CountCommand(DbConnection connection, RepositoryQuery query);
}
