using System.Data.Common;
using Microsoft.Data.Sqlite;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.Sqlite;

/// <summary>
/// Repository search over the FTS5 trigram index <c>repository_search</c> (migration 0004). A query of three
/// or more characters is a trigram phrase match, which the index answers directly; shorter ones cannot be
/// split into trigrams, match names only (see <see cref="RepositoryQuery.SearchesDescriptions"/>) and scan
/// the table with LIKE.
/// </summary>
public sealed class SqliteRepositorySearch(SqliteDatabase database) : SqlRepositorySearch(database)
{
    protected override DbCommand SelectCommand(DbConnection connection, RepositoryQuery query) => Select((SqliteConnection)connection, query);

    protected override DbCommand CountCommand(DbConnection connection, RepositoryQuery query) => Count((SqliteConnection)connection, query);

    /// <summary>The listing's command, with every parameter but <c>@o</c> (offset) and <c>@n</c> (limit) bound.</summary>
    internal static SqliteCommand Select(SqliteConnection connection, RepositoryQuery query)
    {
        var text = query.Normalized;
        var byStats = query.Sort is RepositorySort.Pulls or RepositorySort.Pushed || (query.Sort == RepositorySort.Relevance && text is not null);
        var sql = (text, byStats) switch
        {
            // Without a filter, sorted by a figure: the stats table's own index, in order.
            (null, true) => $"SELECT st.name FROM repository_stats st ORDER BY {Order(query, text)}",
            (null, false) => $"SELECT r.name FROM repositories r ORDER BY {Order(query, text)}",
            _ => $"SELECT r.name {Matches(text, byStats)} ORDER BY {Order(query, text)}",
        };
        return Bind(connection.Command(sql + " LIMIT @n OFFSET @o"), text);
    }

    internal static SqliteCommand Count(SqliteConnection connection, RepositoryQuery query)
    {
        var text = query.Normalized;
        return Bind(connection.Command(text is null ? "SELECT count(*) FROM repositories" : $"SELECT count(*) {Matches(text, false)}"), text);
    }

    /// <summary>
    /// FROM and WHERE selecting the repositories (alias r) whose name or description contains the text, with
    /// their figures (alias st) when <paramref name="withStats"/>.
    /// </summary>
    private static string Matches(string text, bool withStats)
    {
        var stats = withStats ? " JOIN repository_stats st ON st.repository_id = r.id" : "";
        return UsesIndex(text)
            ? $"FROM repository_search s JOIN repositories r ON r.id = s.rowid{stats} WHERE repository_search MATCH @match"
            : $@"FROM repositories r{stats} WHERE r.name LIKE @contains ESCAPE '\'";
    }

    private static string Order(RepositoryQuery query, string? text) => (query.Sort, query.Reverse) switch
    {
        (RepositorySort.Relevance, _) when text is not null => """
            CASE WHEN r.name = @text THEN 0
                 WHEN substr(r.name, 1, length(@text)) = @text OR instr(r.name, '/' || @text) > 0 THEN 1
                 WHEN instr(r.name, @text) > 0 THEN 2
                 ELSE 3 END, st.pull_count DESC, r.name
            """,
        (RepositorySort.Pushed, false) => "st.last_pushed_at DESC, st.name",
        (RepositorySort.Pushed, true) => "st.last_pushed_at, st.name DESC",
        (RepositorySort.Pulls, false) => "st.pull_count DESC, st.name",
        (RepositorySort.Pulls, true) => "st.pull_count, st.name DESC",
        (_, true) => "r.name DESC",
        _ => "r.name",
    };

    private static SqliteCommand Bind(SqliteCommand command, string? text)
    {
        if (text is null)
        {
            return command;
        }

        command.With("@text", text);
        return UsesIndex(text)
            ? command.With("@match", "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")
            : command.With("@contains", "%" + LikePattern.Escape(text) + "%");
    }

    /// <summary>Whether the trigram index can answer <paramref name="text"/>: it needs at least one trigram (the rule of <see cref="RepositoryQuery.SearchesDescriptions"/>).</summary>
    private static bool UsesIndex(string text) => text.EnumerateRunes().Skip(2).Any();
}
