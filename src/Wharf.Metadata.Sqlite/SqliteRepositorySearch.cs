using System.Data.Common;
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
    protected override string CountAllTable => "repositories";

    protected override string RelevanceRank => """
        CASE WHEN r.name = @text THEN 0
             WHEN substr(r.name, 1, length(@text)) = @text OR instr(r.name, '/' || @text) > 0 THEN 1
             WHEN instr(r.name, @text) > 0 THEN 2
             ELSE 3 END
        """;

    protected override string Matches(RepositoryQuery query, string text, bool withStats)
    {
        var stats = withStats ? " JOIN repository_stats st ON st.repository_id = r.id" : "";
        return UsesIndex(text)
            ? $"FROM repository_search s JOIN repositories r ON r.id = s.rowid{stats} WHERE repository_search MATCH @match"
            : $@"FROM repositories r{stats} WHERE r.name LIKE @contains ESCAPE '\'";
    }

    protected override void BindMatch(DbCommand command, string text)
    {
        _ = UsesIndex(text)
            ? command.With("@match", "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"")
            : command.With("@contains", "%" + LikePattern.Escape(text) + "%");
    }

    /// <summary>SQLite sorts NULL before every value: ascending puts never-pushed repositories first, descending last.</summary>
    protected override string PushedOrder(bool reverse) => reverse ? "st.last_pushed_at, st.name DESC" : "st.last_pushed_at DESC, st.name";

    /// <summary>Whether the trigram index can answer <paramref name="text"/>: it needs at least one trigram (the rule of <see cref="RepositoryQuery.SearchesDescriptions"/>).</summary>
    private static bool UsesIndex(string text) => text.EnumerateRunes().Skip(2).Any();
}
