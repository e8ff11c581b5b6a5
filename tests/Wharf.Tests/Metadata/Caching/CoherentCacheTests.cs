using Wharf.Core.Metadata.Caching;

namespace Wharf.Tests.Metadata.Caching;

public sealed class CoherentCacheTests
{
    [Fact]
    public void Filled_value_is_a_hit()
    {
        var cache = new CoherentCache<string, int>(10);
        cache.TryFill("a", 1, cache.Version);
        Assert.True(cache.TryGet("a", out var value));
        Assert.Equal(1, value);
    }

    [Fact]
    public void Fill_after_an_invalidation_since_the_read_is_dropped()
    {
        var cache = new CoherentCache<string, int>(10);
        var version = cache.Version;
        cache.Invalidate("other");
        cache.TryFill("a", 1, version);
        Assert.False(cache.TryGet("a", out _));
    }

    [Fact]
    public void Invalidated_key_is_a_miss_and_others_stay()
    {
        var cache = new CoherentCache<string, int>(10);
        cache.TryFill("a", 1, cache.Version);
        cache.TryFill("b", 2, cache.Version);
        cache.Invalidate("a");
        Assert.False(cache.TryGet("a", out _));
        Assert.True(cache.TryGet("b", out _));
    }

    [Fact]
    public void Invalidate_where_forgets_matching_keys()
    {
        var cache = new CoherentCache<(string Repo, string Tag), int>(10);
        cache.TryFill(("r", "1"), 1, cache.Version);
        cache.TryFill(("r", "2"), 2, cache.Version);
        cache.TryFill(("s", "1"), 3, cache.Version);
        cache.InvalidateWhere(k => k.Repo == "r");
        Assert.False(cache.TryGet(("r", "1"), out _));
        Assert.False(cache.TryGet(("r", "2"), out _));
        Assert.True(cache.TryGet(("s", "1"), out _));
    }

    [Fact]
    public void Weight_never_exceeds_the_capacity()
    {
        var cache = new CoherentCache<int, string>(10, s => s.Length);
        for (var i = 0; i < 100; i++)
        {
            cache.TryFill(i, "abc", cache.Version);
            var held = Enumerable.Range(0, 100).Count(k => cache.TryGet(k, out _));
            Assert.InRange(held * 3, 3, 10);
        }
    }

    [Fact]
    public void Invalidate_then_refill_keeps_the_weight_right()
    {
        var cache = new CoherentCache<int, string>(6, s => s.Length);
        for (var i = 0; i < 50; i++)
        {
            cache.TryFill(1, "abc", cache.Version);
            cache.Invalidate(1);
        }

        cache.TryFill(1, "abc", cache.Version);
        cache.TryFill(2, "abc", cache.Version);
        Assert.True(cache.TryGet(1, out _));
        Assert.True(cache.TryGet(2, out _));
    }
}
