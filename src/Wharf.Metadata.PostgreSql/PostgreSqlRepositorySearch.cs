using System.Data.Common;
using Npgsql;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// Repository search with LIKE/ILIKE, which PostgreSQL answers from the pg_trgm GIN indexes of migration 0004
/// (a bitmap OR of the name and description indexes) when the query has at least one trigram, and by a scan
/// otherwise (or when pg_trgm was not available).
/// </summary>
public sealed class PostgreSqlRepositorySearch(PostgreSqlDatabase database) : SqlRepositorySearch(database)
{
    protected override DbCommand SelectCommand(DbConnection connection, RepositoryQuery query) => Select((NpgsqlConnection)connection, query);

    protected override DbCommand CountCommand(DbConnection connection, RepositoryQuery query) => Count((NpgsqlConnection)connection, query);

    /// <summary>The listing's command, with every parameter but <c>@o</c> (offset) and <c>@n</c> (limit) bound.</summary>
    internal static NpgsqlCommand Select(NpgsqlConnection connection, RepositoryQuery query)
    {
        var text = query.Normalized;
        var byStats = query.Sort is RepositorySort.Pulls or RepositorySort.Pushed || (query.Sort == RepositorySort.Relevance && text is not null);
        var sql = (text, byStats) switch
        {
            // Without a filter, sorted by a figure: the stats table's own index, in order.
            (null, true) => $"SELECT st.name FROM repository_stats st ORDER BY {Order(query, text)}",
            (null, false) => $"SELECT r.name FROM repositories r ORDER BY {Order(query, text)}",
            (_, true) => $"SELECT r.name FROM repositories r JOIN repository_stats st ON st.repository_id = r.id WHERE {Matches(query)} ORDER BY {Order(query, text)}",
            _ => $"SELECT r.name FROM repositories r WHERE {Matches(query)} ORDER BY {Order(query, text)}",
        };
        return Bind(connection.Command(sql + " OFFSET @o LIMIT @n"), text);
    }

    internal static NpgsqlCommand Count(NpgsqlConnection connection, RepositoryQuery query)
    {
        var text = query.Normalized;
        // Without a filter, the narrow stats table (one row per repository) is the cheaper one to count.
        return Bind(connection.Command(text is null ? "SELECT count(*) FROM repository_stats" : $"SELECT count(*) FROM repositories r WHERE {Matches(query)}"), text);
    }

    /// <summary>Repositories (alias r) whose name or description contains the text: a bitmap OR of the two trigram indexes.</summary>
    private static string Matches(RepositoryQuery query) =>
        query.SearchesDescriptions ? "(r.name LIKE @contains OR r.description ILIKE @contains)" : "r.name LIKE @contains";

    private static string Order(RepositoryQuery query, string? text) => (query.Sort, query.Reverse) switch
    {
        (RepositorySort.Relevance, _) when text is not null => """
            CASE WHEN r.name = @text THEN 0
                 WHEN starts_with(r.name, @text) OR strpos(r.name, '/' || @text) > 0 THEN 1
                 WHEN strpos(r.name, @text) > 0 THEN 2
                 ELSE 3 END, st.pull_count DESC, r.name
            """,
        (RepositorySort.Pushed, false) => "st.last_pushed_at DESC NULLS LAST, st.name",
        (RepositorySort.Pushed, true) => "st.last_pushed_at ASC NULLS FIRST, st.name DESC",
        (RepositorySort.Pulls, false) => "st.pull_count DESC, st.name",
        (RepositorySort.Pulls, true) => "st.pull_count, st.name DESC",
        (_, true) => "r.name DESC",
        _ => "r.name",
    };

    private static NpgsqlCommand Bind(NpgsqlCommand command, string? text) =>
        text is null ? command : command.With("@text", text).With("@contains", "%" + LikePattern.Escape(text) + "%");
}
