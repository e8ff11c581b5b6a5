using Wharf.Core.Protocol;
using Wharf.Core.Storage;
using Wharf.Metadata;
using Wharf.TestKit;

namespace Wharf.EndToEndTests.Cli;

/// <summary>
/// A running server on the filesystem + SQLite or on S3 + PostgreSQL, the environment that points a <c>wharf</c> command at
/// the same stores, and ways to damage what it stores behind its back (as disks, operators and bugs do).
/// </summary>
internal sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly ScaleOutBackend? _backend;

    private StoreUnderTest(WharfTestServer server, ScaleOutBackend? backend, Dictionary<string, string> environment)
    {
        Server = server;
        _backend = backend;
        Environment = environment;
        Client = new StoreClient(server.Client);
    }

    public WharfTestServer Server { get; }

    public StoreClient Client { get; }

    /// <summary>WHARF_… variables naming the server's drivers, for commands run next to it.</summary>
    public Dictionary<string, string> Environment { get; }

    public IStorageDriver Storage => (IStorageDriver)Server.Services.GetService(typeof(IStorageDriver))!;

    public static async Task<StoreUnderTest> StartAsync(bool scaleOut)
    {
        if (!scaleOut)
        {
            var local = new Dictionary<string, string?> { ["Storage:Driver"] = "FileSystem", ["Metadata:Driver"] = "Sqlite" };
            return new StoreUnderTest(await WharfTestServer.StartAsync(local), null, []);
        }

        var backend = await ScaleOutBackend.CreateAsync();
        var settings = backend.Settings;
        var environment = settings.ToDictionary(kv => "WHARF_" + kv.Key.Replace(":", "__", StringComparison.Ordinal).ToUpperInvariant(), kv => kv.Value!);
        return new StoreUnderTest(await WharfTestServer.StartAsync(settings), backend, environment);
    }

    /// <summary>Runs <c>wharf ARGS --data DATA</c> against this store and returns its exit code and output.</summary>
    public async Task<(int ExitCode, string Output)> RunAsync(params string[] arguments)
    {
        await using var wharf = WharfProcess.Start([.. arguments, "--data", Server.DataDirectory], Environment);
        var exitCode = await wharf.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exitCode, wharf.Output);
    }

    public async Task<byte[]> ReadStoredAsync(string path)
    {
        await using var stream = await Storage.OpenReadAsync(path, 0, CancellationToken.None) ?? throw new FileNotFoundException(path);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>Replaces the stored bytes of blob <paramref name="digest"/> with <paramref name="change"/> of them.</summary>
    public async Task RewriteBlobAsync(string digest, Func<byte[], byte[]> change)
    {
        var path = StorageLayout.Blob(Digest.Parse(digest));
        var changed = change(await ReadStoredAsync(path));
        await Storage.DeleteAsync(path, CancellationToken.None);
        await using var writer = await Storage.OpenWriterAsync(path, 0, CancellationToken.None);
        await writer.WriteAsync(changed, CancellationToken.None);
        await writer.CommitAsync(CancellationToken.None);
    }

    public Task TruncateBlobAsync(string digest) => RewriteBlobAsync(digest, b => b[..(b.Length / 2)]);

    public Task FlipByteOfBlobAsync(string digest) => RewriteBlobAsync(digest, b =>
    {
        var copy = (byte[])b.Clone();
        copy[copy.Length / 2] ^= 0xFF;
        return copy;
    });

    public async Task DeleteBlobAsync(string digest) => await Storage.DeleteAsync(StorageLayout.Blob(Digest.Parse(digest)), CancellationToken.None);

    /// <summary>Removes <paramref name="repository"/>'s link to the blob from the metadata, as a buggy deletion might.</summary>
    public async Task UnlinkInDatabaseAsync(string repository, string digest)
    {
        var database = (SqlDatabase)Server.Services.GetService(typeof(SqlDatabase))!;
        var removed = await database.RunWriteAsync(async (connection, transaction) =>
        {
            await using var command = connection.Command(
                "DELETE FROM repository_blobs WHERE digest = @d AND repository_id = (SELECT id FROM repositories WHERE name = @n)", transaction)
                .With("@d", digest).With("@n", repository);
            return await command.ExecuteNonQueryAsync();
        }, CancellationToken.None);
        Assert.Equal(1, removed);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}
