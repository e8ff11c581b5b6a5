using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata;

/// <summary>
/// Repository search. The statements' shape (which table to walk, the sort orders, paging, the count) and
/// running them are shared; each engine writes how a text is matched against its own index (FTS5 trigrams on
/// SQLite, pg_trgm on PostgreSQL), the relevance rank's string functions and where NULL push times sort.
/// </summary>
public abstract class SqlRepositorySearch(SqlDatabase database) : IRepositorySearch
{
    public async ValueTask<IReadOnlyList<string>> ListNamesAsync(RepositoryQuery query, int offset, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = Select(connection, query).With("@o", offset).With("@n", limit);
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
        await using var command = Count(connection, query);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The listing's command, with every parameter but <c>@o</c> (offset) and <c>@n</c> (limit) bound.</summary>
    internal DbCommand Select(DbConnection connection, RepositoryQuery query)
    {
        var text = query.Normalized;
        var byStats = query.Sort is RepositorySort.Pulls or RepositorySort.Pushed || (query.Sort == RepositorySort.Relevance && text is not null);
        var sql = (text, byStats) switch
        {
            // Without a filter, sorted by a figure: the stats table's own index, in order.
            (null, true) => $"SELECT st.name FROM repository_stats st ORDER BY {Order(query, text)}",
            (null, false) => $"SELECT r.name FROM repositories r ORDER BY {Order(query, text)}",
            _ => $"SELECT r.name {Matches(query, text, byStats)} ORDER BY {Order(query, text)}",
        };
        return Bind(connection.Command(sql + " LIMIT @n OFFSET @o"), text);
    }

    /// <summary>The command counting every match of <paramref name="query"/>.</summary>
    internal DbCommand Count(DbConnection connection, RepositoryQuery query)
    {
        var text = query.Normalized;
        return Bind(connection.Command(text is null ? $"SELECT count(*) FROM {CountAllTable}" : $"SELECT count(*) {Matches(query, text, false)}"), text);
    }

    /// <summary>The table counted when there is no filter (one row per repository).</summary>
    protected abstract string CountAllTable { get; }

    /// <summary>
    /// FROM and WHERE selecting the repositories (alias r) whose name (or description, see
    /// <see cref="RepositoryQuery.SearchesDescriptions"/>) contains <paramref name="text"/>, joined with their
    /// figures (alias st) when <paramref name="withStats"/>.
    /// </summary>
    protected abstract string Matches(RepositoryQuery query, string text, bool withStats);

    /// <summary>Binds the parameters <see cref="Matches"/> names, besides <c>@text</c> (the text itself).</summary>
    protected abstract void BindMatch(DbCommand command, string text);

    /// <summary>
    /// The relevance rank of r.name against <c>@text</c>: 0 the name itself, 1 a prefix of the name or of a
    /// path component, 2 anywhere in the name, 3 a match in the description only.
    /// </summary>
    protected abstract string RelevanceRank { get; }

    /// <summary>ORDER BY for the last push: newest first, or oldest first when <paramref name="reverse"/>; never-pushed repositories last, or first.</summary>
    protected abstract string PushedOrder(bool reverse);

    private string Order(RepositoryQuery query, string? text) => (query.Sort, query.Reverse) switch
    {
        (RepositorySort.Relevance, _) when text is not null => $"{RelevanceRank}, st.pull_count DESC, r.name",
        (RepositorySort.Pushed, var reverse) => PushedOrder(reverse),
        (RepositorySort.Pulls, false) => "st.pull_count DESC, st.name",
        (RepositorySort.Pulls, true) => "st.pull_count, st.name DESC",
        (_, true) => "r.name DESC",
        _ => "r.name",
    };

    private DbCommand Bind(DbCommand command, string? text)
    {
        if (text is not null)
        {
            command.With("@text", text);
            BindMatch(command, text);
        }

        return command;
    }
}
