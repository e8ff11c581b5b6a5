using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Mirror;
using Wharf.Core.Protocol;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Core.Mirror;

/// <summary>When cached items were last served is written at most once an hour per item and instance (docs/design/mirroring.md, "Eviction").</summary>
public sealed class ServedTimesTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly CachedManifests _manifests;

    public ServedTimesTests() => _manifests = new CachedManifests(new FileSystemDriver(_temp.Path));

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_served_item_is_recorded_at_once_then_not_again_within_the_hour_and_then_again()
    {
        var served = new ServedTimes(_manifests, _time, NullLogger<ServedTimes>.Instance);
        var key = CachedManifests.TagKey("latest");
        var start = _time.GetUtcNow();

        await served.NoteAsync("hub/app", key, CancellationToken.None);
        Assert.Equal(start, await _manifests.GetServedAsync("hub/app", key, CancellationToken.None));

        _time.Advance(ServedTimes.RecordInterval - TimeSpan.FromSeconds(1));
        await served.NoteAsync("hub/app", key, CancellationToken.None);
        Assert.Equal(start, await _manifests.GetServedAsync("hub/app", key, CancellationToken.None));

        _time.Advance(TimeSpan.FromSeconds(1));
        await served.NoteAsync("hub/app", key, CancellationToken.None);
        Assert.Equal(_time.GetUtcNow(), await _manifests.GetServedAsync("hub/app", key, CancellationToken.None));
    }

    [Fact]
    public async Task Each_instance_writes_its_own_first_pull_so_a_record_lags_the_last_pull_by_an_hour_at_most()
    {
        var first = new ServedTimes(_manifests, _time, NullLogger<ServedTimes>.Instance);
        var second = new ServedTimes(_manifests, _time, NullLogger<ServedTimes>.Instance);
        var key = CachedManifests.ManifestKey(Digest.Compute(Encoding.UTF8.GetBytes("m")));

        await first.NoteAsync("hub/app", key, CancellationToken.None);
        _time.Advance(TimeSpan.FromMinutes(30));
        await second.NoteAsync("hub/app", key, CancellationToken.None);

        Assert.Equal(_time.GetUtcNow(), await _manifests.GetServedAsync("hub/app", key, CancellationToken.None));
    }

    [Fact]
    public async Task The_cached_repositories_are_found_in_storage_however_deeply_named()
    {
        var manifest = new CachedManifest(Digest.Compute(Encoding.UTF8.GetBytes("{}")), MediaTypes.OciManifest, Encoding.UTF8.GetBytes("{}"));
        await _manifests.PutAsync("hub/library/alpine", manifest, CancellationToken.None);
        await _manifests.PutTagAsync("hub/library", "1", new CachedTag(manifest.Digest, _time.GetUtcNow()), CancellationToken.None);
        await _manifests.PutAsync("ghcr/org/team/tool", manifest, CancellationToken.None);

        var found = new List<string>();
        await foreach (var repository in _manifests.ListRepositoriesAsync(CancellationToken.None))
        {
            found.Add(repository);
        }

        Assert.Equal(["ghcr/org/team/tool", "hub/library", "hub/library/alpine"], found.Order(StringComparer.Ordinal));
        Assert.Equal([manifest.Digest], await _manifests.ListManifestsAsync("hub/library/alpine", CancellationToken.None));
        Assert.Equal(["1"], await _manifests.ListTagsAsync("hub/library", CancellationToken.None));
    }
}
