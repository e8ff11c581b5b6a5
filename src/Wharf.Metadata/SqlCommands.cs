using System.Data;
using System.Data.Common;

namespace Wharf.Metadata;

/// <summary>Terse helpers for parameterised commands on any ADO.NET provider.</summary>
public static class SqlCommands
{
    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        if (connection is IStatementCache cache)
        {
            return cache.Command(sql, transaction);
        }

        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    /// <summary>Binds <paramref name="value"/> (null as SQL NULL) to the parameter <paramref name="name"/>, spelled as in the SQL (<c>@n</c>).</summary>
    public static TCommand With<TCommand>(this TCommand command, string name, object? value)
        where TCommand : DbCommand
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Binds a string typed as text even when null, so that <c>@p IS NULL</c> needs no cast on engines that infer parameter types.</summary>
    public static TCommand WithText<TCommand>(this TCommand command, string name, string? value)
        where TCommand : DbCommand
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.DbType = DbType.String;
        parameter.Value = value ?? (object)DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Adds <c>AND column = parameter</c> to <paramref name="sql"/> and binds <paramref name="value"/>, when it is not null (a filter not asked for).</summary>
    public static void AndEquals(this DbCommand command, System.Text.StringBuilder sql, string column, string parameter, string? value)
    {
        if (value is not null)
        {
            sql.Append(" AND ").Append(column).Append(" = ").Append(parameter);
            command.WithText(parameter, value);
        }
    }

    /// <summary>Unix milliseconds in column <paramref name="ordinal"/>, or null.</summary>
    public static DateTimeOffset? GetTimeOrNull(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));

    /// <summary>Unix milliseconds in column <paramref name="ordinal"/>.</summary>
    public static DateTimeOffset GetTime(this DbDataReader reader, int ordinal) => DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(ordinal));
}

/// <summary>LIKE patterns that match their text literally (with backslash as the escape character).</summary>
public static class LikePattern
{
    public static string Escape(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);
}
