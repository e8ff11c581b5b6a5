using Microsoft.AspNetCore.Builder;
using Wharf.Hosting;

namespace Wharf.TestKit;

/// <summary>
/// A real Wharf registry on real Kestrel, bound to 127.0.0.1 on a free port, with its data in a
/// fresh temp directory that is deleted on dispose.
/// </summary>
public sealed class WharfTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsData;

    private WharfTestServer(WebApplication app, Uri baseAddress, string dataDirectory, bool ownsData, HttpMessageHandler? handler)
    {
        _app = app;
        _ownsData = ownsData;
        BaseAddress = baseAddress;
        DataDirectory = dataDirectory;
        Client = handler is null ? new HttpClient { BaseAddress = baseAddress } : new HttpClient(handler) { BaseAddress = baseAddress };
    }

    /// <summary>The registry's root, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>host:port as registry clients expect it, e.g. <c>127.0.0.1:41234</c>.</summary>
    public string Authority => BaseAddress.Authority;

    /// <summary>The data directory (filesystem blobs + SQLite).</summary>
    public string DataDirectory { get; }

    /// <summary>A client whose base address is the registry root.</summary>
    public HttpClient Client { get; }

    /// <summary>The application's services, for tests that look behind the HTTP surface.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a server. <paramref name="settings"/> are configuration keys (e.g. "Uploads:ExpireAfter").
    /// With <paramref name="dataDirectory"/> the server reuses that directory and leaves it in place (to test restarts).
    /// With <paramref name="handler"/>, <see cref="Client"/> sends through it (e.g. one that signs in).
    /// </summary>
    public static async Task<WharfTestServer> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null, string? dataDirectory = null, HttpMessageHandler? handler = null)
    {
        var ownsData = dataDirectory is null;
        var data = dataDirectory ?? Path.Combine(Path.GetTempPath(), "wharf-test-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>())
        {
            ["Listen"] = "127.0.0.1:0",
            ["Data"] = data,
        };
        var app = WharfHost.Build(WharfConfiguration.Build(null, all), time);
        var uri = await WharfHost.StartAsync(app);
        return new WharfTestServer(app, new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), data, ownsData, handler);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_ownsData)
        {
            try
            {
                Directory.Delete(DataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp directory is harmless.
            }
        }
    }
}
