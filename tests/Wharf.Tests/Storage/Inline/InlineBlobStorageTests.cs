using System.Text;
using Wharf.Core.Protocol;
using Wharf.Core.Storage;
using Wharf.Metadata.Sqlite;
using Wharf.Storage.FileSystem;
using Wharf.TestKit;

namespace Wharf.Tests.Storage.Inline;

/// <summary>Small blobs kept in SQLite: where their bytes go, and how the one tree shows them beside files.</summary>
public sealed class InlineBlobStorageTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;
    private readonly TempDirectory _temp = new("wharf-inline");
    private SqliteDatabase? _database;
    private InlineBlobStorage? _storage;

    private string Root => Path.Combine(_temp.Path, "root");

    private InlineBlobStorage Storage => _storage!;

    private SqliteInlineBlobStore Store => new(_database!);

    public async Task InitializeAsync()
    {
        _database = new SqliteDatabase(_temp.Combine("wharf.db"));
        await _database.MigrateAsync(None);
        _storage = new InlineBlobStorage(new FileSystemDriver(Root), Store, 1024, TimeProvider.System);
    }

    public Task DisposeAsync()
    {
        _database?.Dispose();
        _temp.Dispose();
        return Task.CompletedTask;
    }

    private static (string Path, byte[] Bytes) Blob(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return (StorageLayout.Blob(Digest.Compute(bytes)), bytes);
    }

    private async Task WriteInlineAsync(string path, byte[] bytes)
    {
        var small = Storage.GetCapability<ISmallBlobWrites>()!;
        await using var writer = await small.OpenContentWriterAsync(path, None);
        await writer.WriteAsync(bytes, None);
        await writer.CommitAsync(None);
    }

    private async Task<byte[]?> ReadAsync(string path, long offset = 0)
    {
        await using var stream = await Storage.OpenReadAsync(path, offset, None);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    [Fact]
    public async Task A_small_blob_is_a_row_not_a_file_and_reads_back_whole_from_an_offset_and_by_stat()
    {
        var (path, bytes) = Blob("a small config");
        await WriteInlineAsync(path, bytes);

        Assert.False(Directory.Exists(Path.Combine(Root, "blobs")));
        Assert.Equal(bytes, await ReadAsync(path));
        Assert.Equal(bytes[2..], await ReadAsync(path, 2));
        Assert.Equal(Array.Empty<byte>(), await ReadAsync(path, 1000));
        Assert.Equal(bytes.Length, (await Storage.StatAsync(path, None))!.Value.Size);
        Assert.Null((await Storage.StatAsync(path, None))!.Value.LocalPath);
        Assert.Null(Storage.LocalFilePath(path));
    }

    [Fact]
    public async Task A_row_this_process_does_not_remember_is_found_and_read_and_then_has_no_local_file()
    {
        var (path, bytes) = Blob("kept before a restart");
        await WriteInlineAsync(path, bytes);
        var restarted = new InlineBlobStorage(new FileSystemDriver(Root), Store, 1024, TimeProvider.System);

        // Not looked at: where a file would be. The stat that finds the row says no file holds it.
        Assert.Equal(Path.Combine(Root, path), restarted.LocalFilePath(path));
        var stat = await restarted.StatAsync(path, None);
        Assert.Equal(bytes.Length, stat!.Value.Size);
        Assert.Null(stat.Value.LocalPath);
        Assert.Null(restarted.LocalFilePath(path));

        var again = new InlineBlobStorage(new FileSystemDriver(Root), Store, 1024, TimeProvider.System);
        await using (var stream = await again.OpenReadAsync(path, 3, None))
        {
            using var copy = new MemoryStream();
            await stream!.CopyToAsync(copy);
            Assert.Equal(bytes[3..], copy.ToArray());
        }

        Assert.Null(again.LocalFilePath(path));
    }

    [Fact]
    public async Task Nothing_is_visible_before_the_commit_and_a_writer_dropped_without_one_leaves_nothing()
    {
        var (path, bytes) = Blob("dropped");
        var small = Storage.GetCapability<ISmallBlobWrites>()!;
        await using (var writer = await small.OpenContentWriterAsync(path, None))
        {
            await writer.WriteAsync(bytes, None);
            Assert.Null(await Storage.StatAsync(path, None));
        }

        Assert.Null(await Storage.StatAsync(path, None));
        Assert.Null(await ReadAsync(path));
    }

    [Fact]
    public async Task A_second_commit_to_the_same_path_keeps_the_first_bytes()
    {
        var (path, bytes) = Blob("first");
        await WriteInlineAsync(path, bytes);
        Assert.False(await Store.AddAsync(path, Encoding.UTF8.GetBytes("other"), DateTimeOffset.UnixEpoch, None));

        Assert.Equal(bytes, await ReadAsync(path));
    }

    [Fact]
    public async Task A_body_longer_than_the_limit_is_refused_by_the_writer()
    {
        var small = Storage.GetCapability<ISmallBlobWrites>()!;
        Assert.Equal(1024, small.MaxBytes);
        await using var writer = await small.OpenContentWriterAsync(StorageLayout.Blob(Digest.Compute([1])), None);
        await writer.WriteAsync(new byte[1000], None);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await writer.WriteAsync(new byte[25], None));
    }

    [Fact]
    public async Task The_tree_lists_rows_beside_files_once_each_and_a_delete_removes_either()
    {
        var (inlinePath, inlineBytes) = Blob("inline");
        var (filePath, fileBytes) = Blob("file");
        await WriteInlineAsync(inlinePath, inlineBytes);
        await using (var writer = await Storage.OpenWriterAsync(filePath, 0, None))
        {
            await writer.WriteAsync(fileBytes, None);
            await writer.CommitAsync(None);
        }

        // The same blob as a row and as a file is listed once.
        await WriteInlineAsync(filePath, fileBytes);

        Assert.Equal(["sha256"], await Storage.ListAsync("blobs", None).ToListAsync());
        var prefixes = await Storage.ListAsync("blobs/sha256", None).ToListAsync();
        Assert.Equal(new[] { inlinePath, filePath }.Select(p => p.Split('/')[2]).Distinct().Order(), prefixes.Order());
        Assert.Contains(inlinePath.Split('/')[3], await Storage.ListAsync(string.Join('/', inlinePath.Split('/')[..3]), None).ToListAsync());
        var fileNames = await Storage.ListAsync(string.Join('/', filePath.Split('/')[..3]), None).ToListAsync();
        Assert.Single(fileNames, filePath.Split('/')[3]);
        Assert.Empty(await Storage.ListAsync("uploads", None).ToListAsync());

        await Storage.DeleteAsync(inlinePath, None);
        await Storage.DeleteAsync(filePath, None);
        Assert.Null(await Storage.StatAsync(inlinePath, None));
        Assert.Null(await Storage.StatAsync(filePath, None));
        Assert.Empty(await Store.ListAsync("blobs", None).ToListAsync());
    }

    [Fact]
    public async Task Deleting_a_prefix_removes_the_rows_under_it_and_no_others()
    {
        var (a, aBytes) = Blob("a");
        var (b, bBytes) = Blob("b");
        await WriteInlineAsync(a, aBytes);
        await WriteInlineAsync(b, bBytes);

        await Storage.DeleteAsync(string.Join('/', a.Split('/')[..3]), None);

        Assert.Null(await Storage.StatAsync(a, None));
        Assert.Equal(a.Split('/')[2] == b.Split('/')[2] ? null : bBytes, await ReadAsync(b));
        await Storage.DeleteAsync("blobs", None);
        Assert.Null(await Storage.StatAsync(b, None));
    }

    [Fact]
    public async Task Moving_a_row_out_makes_it_a_file_at_the_destination_and_removes_the_row()
    {
        var (path, bytes) = Blob("to quarantine");
        await WriteInlineAsync(path, bytes);
        var quarantine = "quarantine/" + path["blobs/".Length..];

        await Storage.MoveAsync(path, quarantine, None);

        Assert.Null(await Storage.StatAsync(path, None));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(Root, quarantine)));
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Root, "uploads")));
    }

    [Fact]
    public async Task A_blob_kept_as_a_file_is_read_from_its_file()
    {
        var (path, bytes) = Blob("big enough to be a file");
        await using (var writer = await Storage.OpenWriterAsync(path, 0, None))
        {
            await writer.WriteAsync(bytes, None);
            await writer.CommitAsync(None);
        }

        Assert.Equal(Path.Combine(Root, path), Storage.LocalFilePath(path));
        Assert.Equal(Path.Combine(Root, path), (await Storage.StatAsync(path, None))!.Value.LocalPath);
        Assert.Equal(bytes, await ReadAsync(path));
        var missing = StorageLayout.Blob(Digest.Compute([9]));
        Assert.Equal(Path.Combine(Root, missing), Storage.LocalFilePath(missing)); // where it would be: not looked at
        Assert.Null(await Storage.StatAsync(missing, None));
        Assert.Null(await ReadAsync(missing));
        Assert.NotNull(Storage.LocalFilePath(StorageLayout.Upload(UploadId.New())));
    }

    [Fact]
    public async Task A_row_another_process_removed_is_gone_here_too_and_a_file_placed_since_is_read()
    {
        var (path, bytes) = Blob("removed elsewhere");
        await WriteInlineAsync(path, bytes);
        Assert.NotNull(await Storage.StatAsync(path, None)); // remembered as a row here

        await Store.DeleteAsync(path, None); // another process (wharf gc) behind this one's back
        Assert.Null(await Storage.StatAsync(path, None));
        await WriteInlineAsync(path, bytes);
        await Store.DeleteAsync(path, None);
        Assert.Null(await ReadAsync(path));

        await using (var writer = await Storage.OpenWriterAsync(path, 0, None))
        {
            await writer.WriteAsync(bytes, None);
            await writer.CommitAsync(None);
        }

        Assert.Equal(bytes, await ReadAsync(path));
        Assert.Equal(bytes.Length, (await Storage.StatAsync(path, None))!.Value.Size);
        Assert.Equal(Path.Combine(Root, path), Storage.LocalFilePath(path));
    }

    [Fact]
    public void Only_the_small_blob_capability_is_the_decorators_own()
    {
        Assert.Same(Storage, Storage.GetCapability<ISmallBlobWrites>());
        Assert.Null(Storage.GetCapability<IContentAddressedWrites>());
        Assert.Null(Storage.GetCapability<IStorageCleanup>());
    }
}
