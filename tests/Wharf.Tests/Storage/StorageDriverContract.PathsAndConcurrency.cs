namespace Wharf.Tests.Storage;

public abstract partial class StorageDriverContract
{
    public static TheoryData<string> InvalidPaths() =>
    [
        "",
        "..",
        "../escape",
        "a/../../escape",
        "a/..",
        "./a",
        "a/./b",
        "/a",
        "/etc/passwd",
        "a//b",
        "a/",
        "/",
        "a\\..\\..\\b",
    ];

    [Theory]
    [MemberData(nameof(InvalidPaths))]
    public async Task Invalid_paths_are_rejected_by_every_operation(string path)
    {
        await PutAsync("blobs/valid", Bytes("v"));

        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.StatAsync(path, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.OpenReadAsync(path, 0, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.OpenWriterAsync(path, 0, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.MoveAsync("blobs/valid", path, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.MoveAsync(path, "blobs/other", None));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.DeleteAsync(path, None));
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await ListAsync(path));
        Assert.ThrowsAny<ArgumentException>(() => Driver.LocalFilePath(path));

        Assert.Equal(Bytes("v"), await GetAsync("blobs/valid"));
    }

    [Fact]
    public async Task Concurrent_writers_to_different_paths_do_not_interfere()
    {
        var contents = Enumerable.Range(0, 16).Select(i => RandomBytes(64 * 1024 + i, i)).ToArray();
        await Task.WhenAll(contents.Select((content, i) => Task.Run(async () =>
        {
            var path = Use($"uploads/w{i:D2}");
            await using var writer = await Driver.OpenWriterAsync(path, 0, None);
            for (var offset = 0; offset < content.Length; offset += 4096)
            {
                await writer.WriteAsync(content.AsMemory(offset, Math.Min(4096, content.Length - offset)), None);
                await Task.Yield();
            }

            await writer.CommitAsync(None);
        })));

        for (var i = 0; i < contents.Length; i++)
        {
            Assert.Equal(Sha256(contents[i]), Sha256((await GetAsync($"uploads/w{i:D2}"))!));
        }
    }

    [Fact]
    public async Task Concurrent_moves_into_one_destination_leave_one_whole_object()
    {
        var contents = Enumerable.Range(0, 8).Select(i => RandomBytes(32 * 1024, 100 + i)).ToArray();
        for (var i = 0; i < contents.Length; i++)
        {
            await PutAsync($"uploads/m{i}", contents[i]);
        }

        Use("blobs/shared");
        await Task.WhenAll(Enumerable.Range(0, contents.Length).Select(i =>
            Task.Run(async () => await Driver.MoveAsync($"uploads/m{i}", "blobs/shared", None))));

        var final = Sha256((await GetAsync("blobs/shared"))!);
        Assert.Contains(final, contents.Select(Sha256));
        Assert.Empty(await ListAsync("uploads"));
    }
}
