using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary>
/// The services of the configured registry (same <c>--data</c>/<c>--config</c> as <c>serve</c>), from the one composition
/// root (<see cref="WharfServices"/>) without a web host: nothing listens, no hosted worker starts, and the metadata schema
/// is migrated first. Every command that works on the store takes its services from here.
/// </summary>
public static class RegistryServices
{
    public static async Task<ServiceProvider> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken)
    {
        var services = Open(configFile, data);
        try
        {
            foreach (var task in services.GetServices<StartupTask>().Where(t => t.Name == "migrations"))
            {
                await task.RunAsync(services, cancellationToken);
            }

            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>The same services without touching the metadata schema, for commands that only read files (<c>backup</c>).</summary>
    public static ServiceProvider Open(string? configFile, string? data)
    {
        // Warnings and errors only: what the command prints is its output, not the services' information logs.
        var configuration = WharfConfiguration.Build(configFile, new Dictionary<string, string?> { ["Data"] = data, ["Logging:LogLevel:Default"] = "Warning" });
        return WharfServices.BuildProvider(configuration);
    }
}
