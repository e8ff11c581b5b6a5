using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Wharf.TestKit.Registries;

/// <summary>Adapts <see cref="WharfTestServer"/> to <see cref="ITestRegistry"/>, capturing the server's log.</summary>
public sealed class WharfRegistry : ITestRegistry
{
    private readonly CapturingLoggerProvider _log = new();

    public WharfRegistry(WharfTestServer server)
    {
        Server = server;
        var logging = server.Services.GetRequiredService<ILoggerFactory>();
        logging.AddProvider(_log);
        logging.AddProvider(Requests);
    }

    public WharfTestServer Server { get; }

    /// <summary>Every request the server answered since it started, from its request log.</summary>
    public RequestRecorder Requests { get; } = new();

    public Uri BaseAddress => Server.BaseAddress;

    public string Authority => Server.Authority;

    public string Kind => "wharf";

    /// <summary>What Wharf logged since it started (its own filters apply: warnings and errors from ASP.NET Core).</summary>
    public string ReadLog() => _log.Text;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _log.Dispose();
        Requests.Dispose();
    }
}
