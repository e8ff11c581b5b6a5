using System.Data.Common;
using Wharf.Core.Metadata;

namespace Wharf.Metadata.PostgreSql;

/// <summary>
/// Repository search with LIKE/ILIKE, which PostgreSQL answers from the pg_trgm GIN indexes of migration 0004
/// (a bitmap OR of the name and description indexes) when the query has at least one trigram, and by a scan
/// otherwise (or when pg_trgm was not available).
/// </summary>
public sealed class PostgreSqlRepositorySearch(PostgreSqlDatabase database) : SqlRepositorySearch(database)
{
    /// <summary>Without a filter, the narrow stats table (one row per repository) is the cheaper one to count.</summary>
    protected override string CountAllTable => "repository_stats";

    protected override string RelevanceRank => """
        CASE WHEN r.name = @text THEN 0
             WHEN starts_with(r.name, @text) OR strpos(r.name, '/' || @text) > 0 THEN 1
             WHEN strpos(r.name, @text) > 0 THEN 2
             ELSE 3 END
        """;

    /// <summary>Name or description containing the text: a bitmap OR of the two trigram indexes.</summary>
    protected override string Matches(RepositoryQuery query, string text, bool withStats)
    {
        var stats = withStats ? " JOIN repository_stats st ON st.repository_id = r.id" : "";
        var where = query.SearchesDescriptions ? "(r.name LIKE @contains OR r.description ILIKE @contains)" : "r.name LIKE @contains";
        return $"FROM repositories r{stats} WHERE {where}";
    }

    protected override void BindMatch(DbCommand command, string text) => command.With("@contains", "%" + LikePattern.Escape(text) + "%");

    /// <summary>PostgreSQL sorts NULL after every value; never-pushed repositories go last when newest come first, and first the other way.</summary>
    protected override string PushedOrder(bool reverse) => reverse ? "st.last_pushed_at ASC NULLS FIRST, st.name DESC" : "st.last_pushed_at DESC NULLS LAST, st.name";
}
