using System.Data.Common;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Sqlite;

/// <summary>The writer's connection keeps each statement prepared, and a kept command never serves two callers at once.</summary>
public sealed class WriterConnectionTests : IDisposable
{
    private const string Insert = "INSERT INTO t (k, v) VALUES (@k, @v)";
    private readonly TempDirectory _temp = new("wharf-db");
    private readonly WriterConnection _connection;

    public WriterConnectionTests()
    {
        _connection = new WriterConnection($"Data Source={Path.Combine(_temp.Path, "t.db")};Pooling=False");
        _connection.Open();
        using var create = _connection.CreateCommand();
        create.CommandText = "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT NOT NULL)";
        create.ExecuteNonQuery();
    }

    [Fact]
    public void A_disposed_command_comes_back_for_the_same_text_without_its_parameters()
    {
        DbCommand first;
        using (first = _connection.Command(Insert).With("@k", 1L).With("@v", "one"))
        {
            Assert.Equal(1, first.ExecuteNonQuery());
        }

        using var second = _connection.Command(Insert);
        Assert.Same(first, second);
        Assert.Empty(second.Parameters);
        Assert.Equal(1, second.With("@k", 2L).With("@v", "two").ExecuteNonQuery());
        Assert.Equal(["one", "two"], Values());
    }

    [Fact]
    public void A_text_asked_for_while_its_command_is_out_gets_a_command_of_its_own()
    {
        using var outer = _connection.Command("SELECT k FROM t ORDER BY k");
        using (var insert = _connection.Command(Insert).With("@k", 1L).With("@v", "a"))
        {
            insert.ExecuteNonQuery();
        }

        using (var insert = _connection.Command(Insert).With("@k", 2L).With("@v", "b"))
        {
            insert.ExecuteNonQuery();
        }

        using var reader = outer.ExecuteReader();
        Assert.True(reader.Read());
        using var inner = _connection.Command("SELECT k FROM t ORDER BY k");
        Assert.NotSame(outer, inner);
        Assert.Equal(1L, inner.ExecuteScalar());
        Assert.Equal(1L, reader.GetInt64(0));
        Assert.True(reader.Read());
        Assert.Equal(2L, reader.GetInt64(0));
    }

    [Fact]
    public void A_command_whose_text_its_caller_changed_comes_back_with_the_text_asked_for()
    {
        using (var changed = _connection.Command("SELECT 1"))
        {
            changed.CommandText = "SELECT 2";
            Assert.Equal(2L, changed.ExecuteScalar());
        }

        using var again = _connection.Command("SELECT 1");
        Assert.Equal("SELECT 1", again.CommandText);
        Assert.Equal(1L, again.ExecuteScalar());
    }

    [Fact]
    public void A_kept_command_runs_in_the_transaction_it_is_asked_for_in()
    {
        using (var transaction = _connection.BeginTransaction())
        {
            using (var insert = _connection.Command(Insert, transaction).With("@k", 1L).With("@v", "rolled back"))
            {
                insert.ExecuteNonQuery();
            }

            transaction.Rollback();
        }

        using (var insert = _connection.Command(Insert).With("@k", 1L).With("@v", "kept"))
        {
            Assert.Null(insert.Transaction);
            insert.ExecuteNonQuery();
        }

        Assert.Equal(["kept"], Values());
    }

    public void Dispose()
    {
        _connection.Dispose();
        _temp.Dispose();
    }

    private List<string> Values()
    {
        using var select = _connection.CreateCommand();
        select.CommandText = "SELECT v FROM t ORDER BY k";
        using var reader = select.ExecuteReader();
        var values = new List<string>();
        while (reader.Read())
        {
            values.Add(reader.GetString(0));
        }

        return values;
    }
}
