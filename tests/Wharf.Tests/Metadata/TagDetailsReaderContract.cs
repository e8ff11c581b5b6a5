using System.Text;
using Microsoft.Extensions.Time.Testing;
using Wharf.Core.Metadata;
using Wharf.Core.Protocol;

namespace Wharf.Tests.Metadata;

/// <summary>The roles a <see cref="TagDetailsReaderContract"/> test needs, all over one store.</summary>
public sealed record TagDetailsStores(IBlobIndex Blobs, IManifestWriter Writer, ITagDetailsReader Tags);

/// <summary>What every metadata store's <see cref="ITagDetailsReader"/> must do. A subclass supplies fresh, empty stores.</summary>
public abstract class TagDetailsReaderContract : IAsyncLifetime
{
    private TagDetailsStores? _stores;

    protected FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.Zero));

    private TagDetailsStores Stores => _stores ?? throw new InvalidOperationException("stores not created");

    protected abstract Task<TagDetailsStores> CreateStoresAsync(TimeProvider time);

    protected abstract Task DestroyStoresAsync();

    public async Task InitializeAsync() => _stores = await CreateStoresAsync(Time);

    public Task DisposeAsync() => DestroyStoresAsync();

    [Fact]
    public async Task An_unknown_repository_is_null_and_one_without_tags_is_empty()
    {
        Assert.Null(await Stores.Tags.ListAsync("none", TagOrder.NameAscending, 0, 10, CancellationToken.None));

        await PushAsync("a", "untagged", tag: null);
        var page = await Stores.Tags.ListAsync("a", TagOrder.NameAscending, 0, 10, CancellationToken.None);

        Assert.Equal(0, page!.Total);
        Assert.Empty(page.Tags);
    }

    [Fact]
    public async Task Tags_come_with_their_manifest_and_push_time_in_the_order_asked()
    {
        var pushed = new Dictionary<string, (ManifestRecord Manifest, DateTimeOffset At)>();
        foreach (var tag in new[] { "b", "d", "a", "c" })
        {
            pushed[tag] = (await PushAsync("repo", "m-" + tag, tag), Time.GetUtcNow());
            Time.Advance(TimeSpan.FromSeconds(10));
        }

        // "e" and "c2" share a push time with each other: ties order by name.
        pushed["e"] = (await PushAsync("repo", "m-e", "e"), Time.GetUtcNow());
        pushed["c2"] = (await PushAsync("repo", "m-c2", "c2"), Time.GetUtcNow());
        await PushAsync("other", "m-x", "zz");

        Assert.Equal(["a", "b", "c", "c2", "d", "e"], await NamesAsync(TagOrder.NameAscending, 0, 100));
        Assert.Equal(["e", "d", "c2", "c", "b", "a"], await NamesAsync(TagOrder.NameDescending, 0, 100));
        Assert.Equal(["c2", "e", "c", "a", "d", "b"], await NamesAsync(TagOrder.PushedNewestFirst, 0, 100));
        Assert.Equal(["b", "d", "a", "c", "c2", "e"], await NamesAsync(TagOrder.PushedOldestFirst, 0, 100));
        Assert.Equal(["c", "c2"], await NamesAsync(TagOrder.NameAscending, 2, 2));
        Assert.Empty(await NamesAsync(TagOrder.NameAscending, 6, 2));

        var page = await Stores.Tags.ListAsync("repo", TagOrder.NameAscending, 0, 100, CancellationToken.None);
        Assert.Equal(6, page!.Total);
        foreach (var tag in page.Tags)
        {
            var (manifest, at) = pushed[tag.Name];
            Assert.Equal(manifest.Digest, tag.Digest);
            Assert.Equal(manifest.MediaType, tag.MediaType);
            Assert.Equal(manifest.Payload, tag.Payload);
            Assert.Equal(at, tag.PushedAt);
        }
    }

    [Fact]
    public async Task Moving_a_tag_moves_its_push_time()
    {
        await PushAsync("repo", "first", "latest");
        Time.Advance(TimeSpan.FromHours(1));
        var second = await PushAsync("repo", "second", "latest");

        var tag = Assert.Single((await Stores.Tags.ListAsync("repo", TagOrder.NameAscending, 0, 10, CancellationToken.None))!.Tags);

        Assert.Equal(second.Digest, tag.Digest);
        Assert.Equal(Time.GetUtcNow(), tag.PushedAt);
    }

    private async Task<List<string>> NamesAsync(TagOrder order, int offset, int limit) =>
        [.. (await Stores.Tags.ListAsync("repo", order, offset, limit, CancellationToken.None))!.Tags.Select(t => t.Name)];

    private async Task<ManifestRecord> PushAsync(string repository, string seed, string? tag)
    {
        var blob = Digest.Compute(Encoding.UTF8.GetBytes("blob:" + seed));
        await Stores.Blobs.LinkAsync(repository, new BlobInfo(blob, 10), null, CancellationToken.None);
        var payload = Encoding.UTF8.GetBytes($"{{\"schemaVersion\":2,\"seed\":\"{seed}\"}}");
        var manifest = new ManifestRecord(Digest.Compute(payload), MediaTypes.OciManifest, payload, null, null, null, [blob], []);
        Assert.Equal(ManifestPutStatus.Stored, (await Stores.Writer.PutAsync(repository, manifest, tag, CancellationToken.None)).Status);
        return manifest;
    }
}
