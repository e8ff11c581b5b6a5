using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Metadata.Sqlite;

/// <summary>Two <see cref="SqliteDatabase"/> instances over one file, as two Wharf processes sharing a data directory.</summary>
public sealed class SqliteSharedFileTests
{
    [Fact]
    public async Task Concurrent_writes_through_two_databases_over_one_file_all_succeed()
    {
        using var temp = new TempDirectory("wharf-db");
        var path = Path.Combine(temp.Path, "wharf.db");
        var time = new FakeTimeProvider();
        using var first = new SqliteDatabase(path);
        using var second = new SqliteDatabase(path);
        await first.MigrateAsync(CancellationToken.None);
        await second.MigrateAsync(CancellationToken.None);
        IBlobIndex[] indexes = [new SqlBlobIndex(first, time), new SqlBlobIndex(second, time)];

        await Task.WhenAll(Enumerable.Range(0, 64).Select(i => Task.Run(async () =>
        {
            var digest = Digest.Compute(BitConverter.GetBytes(i));
            await indexes[i % 2].LinkAsync($"repo{i % 5}", new BlobInfo(digest, i), null, CancellationToken.None);
        })));

        for (var i = 0; i < 64; i++)
        {
            var digest = Digest.Compute(BitConverter.GetBytes(i));
            Assert.Equal(i, (await indexes[(i + 1) % 2].GetInRepositoryAsync($"repo{i % 5}", digest, CancellationToken.None))!.Size);
        }
    }

    [Fact]
    public async Task Two_databases_migrating_a_fresh_file_at_once_both_succeed()
    {
        using var temp = new TempDirectory("wharf-db");
        var path = Path.Combine(temp.Path, "wharf.db");
        using var first = new SqliteDatabase(path);
        using var second = new SqliteDatabase(path);

        await Task.WhenAll(
            Task.Run(async () => await first.MigrateAsync(CancellationToken.None)),
            Task.Run(async () => await second.MigrateAsync(CancellationToken.None)));

        var repositories = new SqlRepositoryReader(second);
        await new SqlBlobIndex(first, new FakeTimeProvider()).LinkAsync("a", new BlobInfo(Digest.Compute([1]), 1), null, CancellationToken.None);
        Assert.Equal(["a"], (await repositories.ListAsync(null, 10, CancellationToken.None)).Items);
    }
}
