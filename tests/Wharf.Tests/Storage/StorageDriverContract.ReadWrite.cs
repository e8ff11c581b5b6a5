namespace Wharf.Tests.Storage;

public abstract partial class StorageDriverContract
{
    [Fact]
    public async Task Stat_of_missing_object_is_null() => Assert.Null(await Driver.StatAsync("blobs/none", None));

    [Fact]
    public async Task Read_of_missing_object_is_null() => Assert.Null(await Driver.OpenReadAsync("blobs/none", 0, None));

    [Fact]
    public async Task Committed_object_can_be_stat_and_read()
    {
        var before = DateTimeOffset.UtcNow.AddSeconds(-5);
        await PutAsync("blobs/ab/object", Bytes("hello wharf"));

        var info = await Driver.StatAsync("blobs/ab/object", None);
        Assert.NotNull(info);
        Assert.Equal(11, info.Value.Size);
        Assert.InRange(info.Value.LastModified, before, DateTimeOffset.UtcNow.AddSeconds(5));
        Assert.Equal(Bytes("hello wharf"), await GetAsync("blobs/ab/object"));
    }

    [Fact]
    public async Task Empty_object_has_size_zero()
    {
        await PutAsync("uploads/empty", []);
        Assert.Equal(0, (await Driver.StatAsync("uploads/empty", None))!.Value.Size);
        Assert.Empty((await GetAsync("uploads/empty"))!);
    }

    [Fact]
    public async Task Read_from_an_offset_returns_the_tail()
    {
        await PutAsync("blobs/o", Bytes("0123456789"));
        Assert.Equal(Bytes("789"), await GetAsync("blobs/o", 7));
        Assert.Empty((await GetAsync("blobs/o", 10))!);
    }

    [Fact]
    public async Task Writer_size_counts_the_bytes_written()
    {
        Use("uploads/u");
        await using var writer = await Driver.OpenWriterAsync("uploads/u", 0, None);
        Assert.Equal(0, writer.Size);
        await writer.WriteAsync(Bytes("abc"), None);
        await writer.WriteAsync(Bytes("de"), None);
        Assert.Equal(5, writer.Size);
        await writer.CommitAsync(None);
        Assert.Equal(5, writer.Size);
    }

    [Fact]
    public async Task Writer_at_zero_replaces_an_existing_object()
    {
        await PutAsync("uploads/u", Bytes("a long first version"));
        await PutAsync("uploads/u", Bytes("short"));
        Assert.Equal(Bytes("short"), await GetAsync("uploads/u"));
    }

    [Fact]
    public async Task Writer_at_the_stored_size_continues_the_object()
    {
        await PutAsync("uploads/u", Bytes("hello "));
        await using (var writer = await Driver.OpenWriterAsync("uploads/u", 6, None))
        {
            Assert.Equal(6, writer.Size);
            await writer.WriteAsync(Bytes("wharf"), None);
            await writer.CommitAsync(None);
            Assert.Equal(11, writer.Size);
        }

        Assert.Equal(Bytes("hello wharf"), await GetAsync("uploads/u"));
    }

    [Fact]
    public async Task Writer_at_an_offset_drops_the_bytes_after_it()
    {
        await PutAsync("uploads/u", Bytes("0123456789"));
        await using (var writer = await Driver.OpenWriterAsync("uploads/u", 4, None))
        {
            Assert.Equal(4, writer.Size);
            await writer.WriteAsync(Bytes("xy"), None);
            await writer.CommitAsync(None);
        }

        Assert.Equal(Bytes("0123xy"), await GetAsync("uploads/u"));
        Assert.Equal(6, (await Driver.StatAsync("uploads/u", None))!.Value.Size);
    }

    [Fact]
    public async Task Writer_at_an_offset_beyond_the_stored_size_fails_and_keeps_the_object()
    {
        await PutAsync("uploads/u", Bytes("0123"));
        await Assert.ThrowsAnyAsync<IOException>(async () => await Driver.OpenWriterAsync("uploads/u", 5, None));
        Assert.Equal(Bytes("0123"), await GetAsync("uploads/u"));
    }

    [Fact]
    public async Task Writer_at_an_offset_of_a_missing_object_fails()
    {
        await Assert.ThrowsAnyAsync<IOException>(async () => await Driver.OpenWriterAsync("uploads/none", 3, None));
        Assert.Null(await Driver.StatAsync("uploads/none", None));
    }

    [Fact]
    public async Task Negative_writer_offset_is_refused() =>
        await Assert.ThrowsAnyAsync<ArgumentException>(async () => await Driver.OpenWriterAsync("uploads/u", -1, None));

    [Fact]
    public async Task Disposing_a_writer_without_commit_keeps_the_bytes_for_a_later_continue()
    {
        Use("uploads/u");
        await using (var writer = await Driver.OpenWriterAsync("uploads/u", 0, None))
        {
            await writer.WriteAsync(Bytes("part one;"), None);
        }

        var info = await Driver.StatAsync("uploads/u", None);
        Assert.Equal(9, info!.Value.Size);
        await using (var writer = await Driver.OpenWriterAsync("uploads/u", info.Value.Size, None))
        {
            await writer.WriteAsync(Bytes("part two"), None);
            await writer.CommitAsync(None);
        }

        Assert.Equal(Bytes("part one;part two"), await GetAsync("uploads/u"));
    }

    [Fact]
    public async Task Cancel_removes_the_object()
    {
        var writer = await Driver.OpenWriterAsync("uploads/u", 0, None);
        await writer.WriteAsync(Bytes("doomed"), None);
        await writer.CancelAsync(None);
        await writer.DisposeAsync();

        Assert.Null(await Driver.StatAsync("uploads/u", None));
    }

    [Fact]
    public async Task Large_object_round_trips_intact()
    {
        var content = RandomBytes((40 * 1024 * 1024) + 3, 42); // beyond 32 MiB, where the file system driver starts writeback
        Use("blobs/large");
        await using (var writer = await Driver.OpenWriterAsync("blobs/large", 0, None))
        {
            for (var offset = 0; offset < content.Length; offset += 1024 * 1024 + 7)
            {
                await writer.WriteAsync(content.AsMemory(offset, Math.Min(1024 * 1024 + 7, content.Length - offset)), None);
            }

            await writer.CommitAsync(None);
        }

        Assert.Equal(content.Length, (await Driver.StatAsync("blobs/large", None))!.Value.Size);
        Assert.Equal(Sha256(content), Sha256((await GetAsync("blobs/large"))!));
        Assert.Equal(Sha256(content[12_345_678..]), Sha256((await GetAsync("blobs/large", 12_345_678))!));
    }

    [Fact]
    public async Task A_writer_version_is_the_stored_version_until_the_object_is_rewritten()
    {
        Use("uploads/v");
        string? first;
        await using (var writer = await Driver.OpenWriterAsync("uploads/v", 0, None))
        {
            await writer.WriteAsync(Bytes("same"), None);
            await writer.CommitAsync(None);
            first = writer.Version;
        }

        Assert.Equal(first, (await Driver.StatAsync("uploads/v", None))!.Value.Version);
        await using (var writer = await Driver.OpenWriterAsync("uploads/v", 0, None))
        {
            await writer.WriteAsync(Bytes("same"), None);
            await writer.CommitAsync(None);
            Assert.Equal(writer.Version, (await Driver.StatAsync("uploads/v", None))!.Value.Version);
        }

        if (first is not null)
        {
            Assert.NotEqual(first, (await Driver.StatAsync("uploads/v", None))!.Value.Version);
        }
    }

    [Fact]
    public async Task A_stat_names_the_local_file_holding_the_object_as_local_file_path_does()
    {
        await PutAsync("blobs/sha256/ab/abce", Bytes("stat"));

        var stat = (await Driver.StatAsync("blobs/sha256/ab/abce", None))!.Value;
        Assert.Equal(Driver.LocalFilePath("blobs/sha256/ab/abce"), stat.LocalPath);
        if (stat.LocalPath is { } local)
        {
            Assert.Equal(Bytes("stat"), await File.ReadAllBytesAsync(local));
        }
    }

    [Fact]
    public async Task Local_file_path_when_given_holds_the_object_bytes()
    {
        await PutAsync("blobs/sha256/ab/abcd", Bytes("local"));

        var local = Driver.LocalFilePath("blobs/sha256/ab/abcd");
        if (local is not null)
        {
            Assert.True(Path.IsPathFullyQualified(local));
            Assert.Equal(Bytes("local"), await File.ReadAllBytesAsync(local));
        }
    }
}
