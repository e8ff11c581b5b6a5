using Npgsql;
using Wharf.Metadata;
using Wharf.Metadata.PostgreSql;

namespace Wharf.Tests.Metadata.PostgreSql;

/// <summary>
/// Migration 0010's announcements, heard on a real LISTEN while the stores write: what each write path announces, that
/// nothing is heard before the commit, and the fallback for payloads over NOTIFY's limit. A write that announces nothing
/// is shown by the next announcement being that of a later write (notifications arrive in commit order).
/// </summary>
public sealed partial class PostgreSqlMetadataStoreTests
{
    [Fact]
    public async Task Moving_or_removing_a_tag_is_announced_and_pushing_it_where_it_was_is_not()
    {
        var one = await PushImageAsync("team/app", "one", "latest");
        await Writer.PutAsync("team/app", one, "stable", None);
        var two = await PushImageAsync("team/app", "two");
        await using var listener = await ListenAsync();

        await Writer.PutAsync("team/app", one, "latest", None); // where it was: nothing cached changes
        await Writer.PutAsync("team/app", two, "latest", None);
        Assert.Equal("t team/app latest", await listener.NextAsync());

        Assert.True(await Writer.DeleteTagAsync("team/app", "stable", None));
        Assert.Equal("t team/app stable", await listener.NextAsync());
    }

    [Fact]
    public async Task Deleting_a_manifest_announces_it_with_the_tags_it_took()
    {
        var manifest = await PushImageAsync("team/app", "one", "latest");
        await using var listener = await ListenAsync();

        Assert.True(await Writer.DeleteAsync("team/app", manifest.Digest, None));

        Assert.Equal(
            [$"m team/app {manifest.Digest.Value}", "t team/app latest"],
            (await listener.NextAsync() + "\n" + await listener.NextAsync()).Split('\n').Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Unlinking_a_blob_is_announced()
    {
        var blob = await LinkBlobAsync("team/app", "layer");
        await using var listener = await ListenAsync();

        Assert.True(await Blobs.UnlinkAsync("team/app", blob, None));

        Assert.Equal($"l team/app {blob.Value}", await listener.NextAsync());
    }

    [Fact]
    public async Task Deleting_a_repository_is_announced_by_name_even_when_its_rows_would_not_fit_in_one_notification()
    {
        var manifest = await PushImageAsync("team/big", "one");
        for (var i = 0; i < 200; i++)
        {
            await Writer.PutAsync("team/big", manifest, "a-rather-long-tag-name-number-" + i, None); // 200 lines: over 8000 bytes
        }

        await using var listener = await ListenAsync();
        Assert.True(await new SqlRepositoryDeleter(_database!, Time).DeleteAsync("team/big", None));
        var marker = await LinkBlobAsync("team/other", "marker");
        Assert.True(await Blobs.UnlinkAsync("team/other", marker, None));

        var heard = new List<string>();
        while (heard.LastOrDefault() != $"l team/other {marker.Value}")
        {
            heard.Add(await listener.NextAsync());
        }

        // The tags statement was too long to name its rows: it named the repository, as the repository's own row does
        // (PostgreSQL folds identical notifications of one transaction into one). The manifest and links fit.
        Assert.Equal(
            ["r team/big", $"m team/big {manifest.Digest.Value}", string.Join("\n", new[] { $"l team/big {BlobDigest("one-config").Value}", $"l team/big {BlobDigest("one-layer").Value}" }.Order(StringComparer.Ordinal)), $"l team/other {marker.Value}"],
            heard.Select(p => string.Join("\n", p.Split('\n').Order(StringComparer.Ordinal))));
        Assert.All(heard, payload => Assert.True(payload.Length < 8000, $"{payload.Length} bytes"));
    }

    [Fact]
    public async Task A_rolled_back_change_is_not_announced()
    {
        await PushImageAsync("team/app", "one", "latest");
        await using var listener = await ListenAsync();
        await using var connection = await _database!.OpenAsync(None);
        await using (var transaction = await connection.BeginTransactionAsync(None))
        {
            await using var delete = new NpgsqlCommand("DELETE FROM tags", connection, transaction);
            Assert.Equal(1, await delete.ExecuteNonQueryAsync(None));
            await transaction.RollbackAsync(None);
        }

        var marker = await LinkBlobAsync("team/app", "marker");
        Assert.True(await Blobs.UnlinkAsync("team/app", marker, None));
        Assert.Equal($"l team/app {marker.Value}", await listener.NextAsync());
    }

    private async Task<Listener> ListenAsync()
    {
        var connection = await _database!.OpenDedicatedAsync(None);
        await using var ask = new NpgsqlCommand("SELECT cache_channel()", connection);
        var channel = (string)(await ask.ExecuteScalarAsync(None))!;
        await using var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
        await listen.ExecuteNonQueryAsync(None);
        return new Listener(connection);
    }

    /// <summary>The payloads heard on one LISTENing connection, in order.</summary>
    private sealed class Listener : IAsyncDisposable
    {
        private readonly NpgsqlConnection _connection;
        private readonly Queue<string> _heard = new();

        public Listener(NpgsqlConnection connection)
        {
            _connection = connection;
            _connection.Notification += (_, e) => _heard.Enqueue(e.Payload);
        }

        /// <summary>The next payload; fails the test if none arrives within a bound.</summary>
        public async Task<string> NextAsync()
        {
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (_heard.Count == 0)
            {
                var left = deadline - DateTime.UtcNow;
                Assert.True(left > TimeSpan.Zero && await _connection.WaitAsync(left), "no announcement arrived");
            }

            return _heard.Dequeue();
        }

        public ValueTask DisposeAsync() => _connection.DisposeAsync();
    }
}
