using Wharf.TestKit;
using Wharf.TestKit.Registries;

namespace Wharf.EndToEndTests.Infrastructure;

/// <summary>
/// One registry (Wharf, or Distribution when WHARF_TEST_REGISTRY=distribution) per test class, plus
/// a temp directory for the test images and client state of that class.
/// </summary>
public class RegistryFixture : IAsyncLifetime
{
    private ITestRegistry? _registry;
    private RegistryHttp? _http;

    public TempDirectory Temp { get; } = new("wharf-e2e");

    public ITestRegistry Registry => _registry ?? throw new InvalidOperationException("the registry is not started");

    /// <summary>host:port of the registry.</summary>
    public string Authority => Registry.Authority;

    internal RegistryHttp Http => _http ?? throw new InvalidOperationException("the registry is not started");

    /// <summary>A client reference such as <c>127.0.0.1:PORT/repo:tag</c>.</summary>
    public string Ref(string repository, string reference = "v1") =>
        reference.StartsWith("sha256:", StringComparison.Ordinal)
            ? $"{Authority}/{repository}@{reference}"
            : $"{Authority}/{repository}:{reference}";

    /// <summary>A new, empty directory for one test's files.</summary>
    public string NewDirectory(string name) => Temp.CreateSubdirectory($"{name}-{Guid.NewGuid():N}"[..(name.Length + 9)]);

    /// <summary>A single-image (linux/<paramref name="architecture"/>) OCI layout whose blobs are unique to <paramref name="label"/>.</summary>
    public OciLayout SingleArchLayout(string label, string architecture = "amd64", int dataBytes = 96 * 1024) =>
        OciLayoutBuilder.SingleArch(NewDirectory("layout"), label, architecture, dataBytes);

    /// <summary>An OCI layout holding a linux/amd64 + linux/arm64 index, blobs unique to <paramref name="label"/>.</summary>
    public OciLayout MultiArchLayout(string label) => OciLayoutBuilder.MultiArch(NewDirectory("layout"), label);

    /// <summary>The registry's log, for failure messages.</summary>
    public string RegistryLog() => _registry?.ReadLog() ?? string.Empty;

    public async Task InitializeAsync()
    {
        _registry = await StartRegistryAsync();
        _http = new RegistryHttp(_registry.BaseAddress);
    }

    /// <summary>Starts the registry of this fixture; subclasses start a configured Wharf.</summary>
    protected virtual Task<ITestRegistry> StartRegistryAsync() => TestRegistry.StartAsync();

    public async Task DisposeAsync()
    {
        _http?.Dispose();
        if (_registry is not null)
        {
            await _registry.DisposeAsync();
        }

        Temp.Dispose();
    }
}
