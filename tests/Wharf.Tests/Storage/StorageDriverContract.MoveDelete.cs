namespace Wharf.Tests.Storage;

public abstract partial class StorageDriverContract
{
    [Fact]
    public async Task Move_places_the_object_at_the_destination_and_removes_the_source()
    {
        await PutAsync("uploads/u", Bytes("content"));
        Use("blobs/sha256/ab/abc");

        await Driver.MoveAsync("uploads/u", "blobs/sha256/ab/abc", None);

        Assert.Null(await Driver.StatAsync("uploads/u", None));
        Assert.Equal(Bytes("content"), await GetAsync("blobs/sha256/ab/abc"));
    }

    [Fact]
    public async Task Move_replaces_an_existing_destination()
    {
        await PutAsync("blobs/target", Bytes("old old old"));
        await PutAsync("uploads/u", Bytes("new"));

        await Driver.MoveAsync("uploads/u", "blobs/target", None);

        Assert.Equal(Bytes("new"), await GetAsync("blobs/target"));
        Assert.Null(await Driver.StatAsync("uploads/u", None));
    }

    [Fact]
    public async Task Move_of_a_missing_source_fails_and_keeps_the_destination()
    {
        await PutAsync("blobs/target", Bytes("kept"));
        await Assert.ThrowsAnyAsync<IOException>(async () => await Driver.MoveAsync("uploads/none", "blobs/target", None));
        Assert.Equal(Bytes("kept"), await GetAsync("blobs/target"));
    }

    [Fact]
    public async Task Readers_see_either_the_old_or_the_new_object_during_a_move()
    {
        var old = RandomBytes(256 * 1024, 1);
        var replacement = RandomBytes(256 * 1024, 2);
        await PutAsync("blobs/target", old);
        await PutAsync("uploads/u", replacement);

        var reads = Enumerable.Range(0, 8).Select(_ => Task.Run(async () =>
        {
            var seen = new List<string>();
            for (var i = 0; i < 10; i++)
            {
                seen.Add(Sha256((await GetAsync("blobs/target"))!));
            }

            return seen;
        })).ToList();
        await Driver.MoveAsync("uploads/u", "blobs/target", None);

        var allowed = new[] { Sha256(old), Sha256(replacement) };
        foreach (var read in reads)
        {
            Assert.All(await read, hash => Assert.Contains(hash, allowed));
        }
    }

    [Fact]
    public async Task Delete_removes_an_object()
    {
        await PutAsync("blobs/o", Bytes("x"));
        await Driver.DeleteAsync("blobs/o", None);
        Assert.Null(await Driver.StatAsync("blobs/o", None));
    }

    [Fact]
    public async Task Delete_of_a_prefix_removes_everything_under_it_and_nothing_beside_it()
    {
        await PutAsync("repo/a/one", Bytes("1"));
        await PutAsync("repo/a/sub/two", Bytes("2"));
        await PutAsync("repo/ab", Bytes("sibling"));
        await PutAsync("repo/b/three", Bytes("3"));

        await Driver.DeleteAsync("repo/a", None);

        Assert.Null(await Driver.StatAsync("repo/a/one", None));
        Assert.Null(await Driver.StatAsync("repo/a/sub/two", None));
        Assert.Empty(await ListAsync("repo/a"));
        Assert.Equal(Bytes("sibling"), await GetAsync("repo/ab"));
        Assert.Equal(Bytes("3"), await GetAsync("repo/b/three"));
    }

    [Fact]
    public async Task Delete_of_nothing_succeeds_and_is_idempotent()
    {
        await Driver.DeleteAsync("blobs/none", None);
        await PutAsync("blobs/o", Bytes("x"));
        await Driver.DeleteAsync("blobs/o", None);
        await Driver.DeleteAsync("blobs/o", None);
        Assert.Null(await Driver.StatAsync("blobs/o", None));
    }

    [Fact]
    public async Task List_returns_the_immediate_children_by_name()
    {
        await PutAsync("uploads/one", Bytes("1"));
        await PutAsync("uploads/two", Bytes("2"));
        await PutAsync("uploads/dir/three", Bytes("3"));

        var children = await ListAsync("uploads");
        Assert.Equal(["dir", "one", "two"], children.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_of_a_missing_prefix_is_empty() => Assert.Empty(await ListAsync("nothing/here"));

    [Fact]
    public async Task List_of_an_object_is_empty()
    {
        await PutAsync("uploads/one", Bytes("1"));
        Assert.Empty(await ListAsync("uploads/one"));
    }

    [Fact]
    public async Task Stat_of_a_prefix_is_null()
    {
        await PutAsync("blobs/sha256/ab/abc", Bytes("1"));
        Assert.Null(await Driver.StatAsync("blobs/sha256", None));
    }

    protected async Task<List<string>> ListAsync(string prefix)
    {
        var list = new List<string>();
        await foreach (var name in Driver.ListAsync(prefix, None))
        {
            list.Add(name);
        }

        return list;
    }
}
