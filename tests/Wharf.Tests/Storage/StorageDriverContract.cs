using System.Security.Cryptography;
using System.Text;
using Wharf.Core.Storage;

namespace Wharf.Tests.Storage;

/// <summary>
/// What every <see cref="IStorageDriver"/> must do. A subclass supplies a fresh, empty driver per test and
/// may list what the driver holds so that teardown can check nothing was written outside the paths a test used.
/// </summary>
public abstract partial class StorageDriverContract : IAsyncLifetime
{
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private IStorageDriver? _driver;

    protected IStorageDriver Driver => _driver ?? throw new InvalidOperationException("driver not created");

    protected static CancellationToken None => CancellationToken.None;

    /// <summary>A new driver over empty storage.</summary>
    protected abstract Task<IStorageDriver> CreateDriverAsync();

    /// <summary>Releases the driver's storage.</summary>
    protected abstract Task DestroyDriverAsync();

    /// <summary>
    /// Every object path the driver holds ('/'-separated, relative), or null when the driver cannot list
    /// everything. Objects outside the storage root should also be reported (e.g. as "../name").
    /// </summary>
    protected virtual IReadOnlyCollection<string>? AllObjects() => null;

    public async Task InitializeAsync() => _driver = await CreateDriverAsync();

    public async Task DisposeAsync()
    {
        try
        {
            var left = AllObjects();
            if (left is not null)
            {
                var strays = left.Where(p => !_used.Contains(p)).ToList();
                Assert.True(strays.Count == 0, "objects outside the paths the test used: " + string.Join(", ", strays));
            }
        }
        finally
        {
            await DestroyDriverAsync();
        }
    }

    /// <summary>Declares that the test may leave an object at <paramref name="path"/>.</summary>
    protected string Use(string path)
    {
        lock (_used)
        {
            _used.Add(path);
        }

        return path;
    }

    protected async Task PutAsync(string path, byte[] content)
    {
        Use(path);
        await using var writer = await Driver.OpenWriterAsync(path, 0, None);
        await writer.WriteAsync(content, None);
        await writer.CommitAsync(None);
    }

    protected async Task<byte[]?> GetAsync(string path, long offset = 0)
    {
        await using var stream = await Driver.OpenReadAsync(path, offset, None);
        if (stream is null)
        {
            return null;
        }

        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    protected static byte[] Bytes(string text) => Encoding.UTF8.GetBytes(text);

    protected static byte[] RandomBytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    protected static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
