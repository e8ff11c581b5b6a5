using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Policies;
using Wharf.Core.Protocol;
using Wharf.Metadata;
using Wharf.Metadata.Sqlite;
using Wharf.TestKit;

namespace Wharf.Tests.Core.Policies;

/// <summary>Retention over a real SQLite store: a tag pushed again between the read and the delete survives.</summary>
public sealed class RetentionServiceTests : IDisposable
{
    private readonly TempDirectory _temp = new("wharf-retention");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;

    public RetentionServiceTests() => _database = new SqliteDatabase(Path.Combine(_temp.Path, "wharf.db"));

    [Fact]
    public async Task A_tag_pushed_again_after_it_was_read_is_kept_and_reported_so()
    {
        await _database.MigrateAsync(CancellationToken.None);
        var writer = new SqliteManifestWriter(_database, _time);
        var blobs = new SqlBlobIndex(_database, _time);
        var config = Digest.Compute("config"u8.ToArray());
        await blobs.LinkAsync("ci/app", new BlobInfo(config, 6), null, CancellationToken.None);
        await writer.PutAsync("ci/app", Image("first", config), "old", CancellationToken.None);
        await writer.PutAsync("ci/app", Image("gone", config), "gone", CancellationToken.None);
        _time.Advance(TimeSpan.FromDays(40));
        var pushedMeanwhile = Image("second", config);
        // The reader hands out what it read, then "someone" pushes tag old again before retention deletes it.
        var reader = new PushingAfterRead(new SqlRetentionReader(_database), () => writer.PutAsync("ci/app", pushedMeanwhile, "old", CancellationToken.None).AsTask());
        var rule = new RetentionRule("Retention:Rules[0]", r => r.StartsWith("ci/", StringComparison.Ordinal), null, null, TimeSpan.FromDays(30), null);
        var retention = new RetentionService([rule], ImmutableTagPolicy.None, new SqlRepositoryReader(_database), reader, writer, _time, NullLogger<RetentionService>.Instance);

        var report = await retention.RunAsync(dryRun: false, CancellationToken.None);

        Assert.Equal([("gone", true), ("old", false)], report.Tags.Select(t => (t.Tag, t.Deleted)));
        var manifests = new SqlManifestReader(_database);
        Assert.Equal(pushedMeanwhile.Digest, (await manifests.GetByTagAsync("ci/app", "old", CancellationToken.None))?.Digest);
        Assert.Null(await manifests.GetByTagAsync("ci/app", "gone", CancellationToken.None));
    }

    public void Dispose()
    {
        _database.Dispose();
        _temp.Dispose();
    }

    private static ManifestRecord Image(string seed, Digest config)
    {
        var payload = System.Text.Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"seed\":\"{seed}\"}}");
        return new ManifestRecord(Digest.Compute(payload), MediaTypes.OciManifest, payload, null, null, null, [config], []);
    }

    private sealed class PushingAfterRead(IRetentionReader inner, Func<Task> push) : IRetentionReader
    {
        public async ValueTask<IReadOnlyList<RetentionTag>> ListTagsAsync(string repository, CancellationToken cancellationToken)
        {
            var tags = await inner.ListTagsAsync(repository, cancellationToken);
            await push();
            return tags;
        }
    }
}
