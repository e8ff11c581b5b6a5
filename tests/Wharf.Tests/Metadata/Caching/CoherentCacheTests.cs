using Wharf.Core.Metadata.Caching;

namespace Wharf.Tests.Metadata.Caching;

public sealed class CoherentCacheTests
{
    [Fact]
    public void A_fill_read_before_an_invalidation_is_dropped()
    {
        var cache = new CoherentCache<string, string>(10);
        var version = cache.Version;      // reader starts and reads "old" from the store
        cache.Invalidate("tag");          // a writer commits "new" and invalidates

        cache.TryFill("tag", "old", version);

        Assert.False(cache.TryGet("tag", out _));
    }

    [Fact]
    public void A_fill_with_a_current_version_is_served()
    {
        var cache = new CoherentCache<string, string>(10);
        cache.TryFill("tag", "v1", cache.Version);

        Assert.True(cache.TryGet("tag", out var value));
        Assert.Equal("v1", value);
    }

    [Fact]
    public void Invalidate_removes_the_entry()
    {
        var cache = new CoherentCache<string, string>(10);
        cache.TryFill("tag", "v1", cache.Version);

        cache.Invalidate("tag");

        Assert.False(cache.TryGet("tag", out _));
    }

    [Fact]
    public void Invalidate_where_removes_only_matching_entries()
    {
        var cache = new CoherentCache<(string Repo, string Tag), int>(10);
        cache.TryFill(("a", "1"), 1, cache.Version);
        cache.TryFill(("a", "2"), 2, cache.Version);
        cache.TryFill(("b", "1"), 3, cache.Version);

        cache.InvalidateWhere(k => k.Repo == "a");

        Assert.False(cache.TryGet(("a", "1"), out _));
        Assert.False(cache.TryGet(("a", "2"), out _));
        Assert.True(cache.TryGet(("b", "1"), out _));
    }

    [Fact]
    public void The_cache_never_holds_more_than_its_capacity()
    {
        var cache = new CoherentCache<int, byte[]>(1000, v => v.Length);
        for (var i = 0; i < 100; i++)
        {
            cache.TryFill(i, new byte[300], cache.Version);
        }

        var held = Enumerable.Range(0, 100).Count(i => cache.TryGet(i, out _));
        Assert.InRange(held, 1, 3);
    }
}
