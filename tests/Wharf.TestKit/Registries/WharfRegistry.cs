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
        server.Services.GetRequiredService<ILoggerFactory>().AddProvider(_log);
    }

    public WharfTestServer Server { get; }

    public Uri BaseAddress => Server.BaseAddress;

    public string Authority => Server.Authority;

    public string Kind => "wharf";

    /// <summary>What Wharf logged since it started (its own filters apply: warnings and errors from ASP.NET Core).</summary>
    public string ReadLog() => _log.Text;

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        _log.Dispose();
    }
}
