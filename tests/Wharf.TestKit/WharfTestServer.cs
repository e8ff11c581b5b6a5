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
    private readonly ScaleOutBackend? _backend;

    private WharfTestServer(WebApplication app, Uri baseAddress, string dataDirectory, bool ownsData, ScaleOutBackend? backend, HttpMessageHandler? handler)
    {
        _app = app;
        _ownsData = ownsData;
        _backend = backend;
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
    /// When the run asks for the scale-out engines (<see cref="ScaleOutBackend.Requested"/>) and the settings choose
    /// no driver themselves, the server stores blobs in S3 and metadata in PostgreSQL instead, in a slice of its own.
    /// With <paramref name="handler"/>, <see cref="Client"/> sends through it (e.g. one that signs in).
    /// </summary>
    public static async Task<WharfTestServer> StartAsync(
        IReadOnlyDictionary<string, string?>? settings = null, TimeProvider? time = null, string? dataDirectory = null, HttpMessageHandler? handler = null)
    {
        var ownsData = dataDirectory is null;
        var data = dataDirectory ?? Path.Combine(Path.GetTempPath(), "wharf-test-" + Guid.NewGuid().ToString("N"));
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        ScaleOutBackend? backend = null;
        var choosesDrivers = settings is not null && settings.Keys.Any(k => k.StartsWith("Storage:", StringComparison.OrdinalIgnoreCase) || k.StartsWith("Metadata:", StringComparison.OrdinalIgnoreCase));
        if (ScaleOutBackend.Requested && !choosesDrivers)
        {
            backend = ownsData ? await ScaleOutBackend.CreateAsync() : await ScaleOutBackend.ForDataDirectoryAsync(data);
            foreach (var (key, value) in backend.Settings)
            {
                all[key] = value;
            }
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        all["Listen"] = "127.0.0.1:0";
        all["Data"] = data;
        var app = WharfHost.Build(WharfConfiguration.Build(null, all), time);
        var uri = await WharfHost.StartAsync(app);
        return new WharfTestServer(app, new Uri(uri.GetLeftPart(UriPartial.Authority) + "/"), data, ownsData, ownsData ? backend : null, handler);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }

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
