namespace Wharf.TestKit;

/// <summary>
/// A real Wharf registry on real Kestrel, bound to 127.0.0.1 on a free port, with its data in a
/// fresh temp directory that is deleted on dispose.
/// </summary>
public sealed class WharfTestServer : IAsyncDisposable
{
    private WharfTestServer(Uri baseAddress, string dataDirectory)
    {
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Client = new HttpClient { BaseAddress = baseAddress };
    }

    /// <summary>The registry's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>host:port as registry clients expect it, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string Authority => BaseAddress.Authority;

    /// <summary>The data directory (filesystem blobs + SQLite).</summary>
    public string DataDirectory { get; }

    /// <summary>A client whose base address is the registry root.</summary>
    public HttpClient Client { get; }

    /// <summary>Starts a server. <paramref name="settings"/> are configuration keys (e.g. "Wharf:Uploads:ExpireAfter").</summary>
    public static Task<WharfTestServer> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null)
        => throw new NotImplementedException();

    public ValueTask DisposeAsync()
    {
        Client.Dispose();
        return ValueTask.CompletedTask;
    }
}
