namespace Wharf.TestKit.Registries;

/// <summary>Adapts <see cref="WharfTestServer"/> to <see cref="ITestRegistry"/>.</summary>
public sealed class WharfRegistry(WharfTestServer server) : ITestRegistry
{
    public WharfTestServer Server { get; } = server;

    public Uri BaseAddress => Server.BaseAddress;

    public string Authority => Server.Authority;

    public string Kind => "wharf";

    public string ReadLog() => string.Empty;

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
