using System.Data.Common;

namespace Wharf.Metadata;

/// <summary>
/// A connection that keeps its prepared statements between uses: <see cref="SqlCommands.Command"/> asks it for a
/// command, which comes back ready to be bound, and the caller disposes it as any other.
/// </summary>
public interface IStatementCache
{
    /// <summary>A command for <paramref name="sql"/> with no parameters bound, in <paramref name="transaction"/>.</summary>
    DbCommand Command(string sql, DbTransaction? transaction);
}
