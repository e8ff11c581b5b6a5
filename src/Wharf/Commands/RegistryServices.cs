using Wharf.Hosting;

namespace Wharf.Commands;

/// <summary>
/// The services of the configured registry (same <c>--data</c>/<c>--config</c> as <c>serve</c>), built without listening and
/// with the metadata schema migrated, for commands that work on the store directly.
/// </summary>
public static class RegistryServices
{
    public static async Task<WebApplication> OpenAsync(string? configFile, string? data, CancellationToken cancellationToken)
    {
        // Warnings and errors only: what the command prints is its output, not the services' information logs.
        var configuration = WharfConfiguration.Build(configFile, new Dictionary<string, string?> { ["Data"] = data, ["Logging:LogLevel:Default"] = "Warning" });
        var app = WharfHost.Build(configuration);
        WharfHost.ValidateSections(app.Services);
        foreach (var task in app.Services.GetServices<StartupTask>().Where(t => t.Name == "migrations"))
        {
            await task.RunAsync(app.Services, cancellationToken);
        }

        return app;
    }
}
