using Wharf.Core.Events;
using Wharf.Http.Webhooks;
using Wharf.Metadata;

namespace Wharf.Hosting;

/// <summary>
/// Wires webhooks (docs/design/webhooks.md). With at least one endpoint configured: the routes, the outbox that the
/// stores write events into within their transactions, the origin of each request's events, pull events, and the
/// dispatcher. Without one, the stores write no events and take no extra locks; the outbox is still there to list and
/// replay what earlier configurations left.
/// </summary>
public static class WebhooksRegistration
{
    public static void AddWharfWebhooks(this IServiceCollection services, WebhooksOptions options, ListenAddress listen)
    {
        if (!options.Enabled)
        {
            services.AddSingleton<IEventOutbox>(sp => new SqlEventOutbox(sp.GetRequiredService<SqlDatabase>(), new WebhookRoutes(new WebhooksOptions())));
            return;
        }

        services.AddSingleton<EventSignal>();
        // Built from the validated section: an invalid endpoint stops the start with the section's message.
        services.AddSingleton(sp => new WebhookRoutes(sp.GetRequiredService<WebhooksOptions>()));
        services.AddSingleton<IEventRoutes>(sp => sp.GetRequiredService<WebhookRoutes>());
        services.AddSingleton<SqlEventOutbox>();
        services.AddSingleton<IEventOutbox>(sp => sp.GetRequiredService<SqlEventOutbox>());
        services.AddSingleton<PullEvents>();
        services.AddSingleton<IRefusalEvents, RefusalEvents>();
        services.AddSingleton(sp => new EventSourceInfo(() => $"{Environment.MachineName}:{ListeningPort(sp) ?? listen.Port}", Guid.NewGuid().ToString()));
        services.AddSingleton<WebhookMetrics>();
        services.AddSingleton<WebhookDispatcher>();
        if (options.Deliver)
        {
            services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        }
    }

    /// <summary>The port the server listens on (the one chosen at start for port 0), or null outside a server.</summary>
    private static int? ListeningPort(IServiceProvider services) =>
        services.GetService<Microsoft.AspNetCore.Hosting.Server.IServer>()?.Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses
            .Select(a => Uri.TryCreate(a.Replace("*", "localhost", StringComparison.Ordinal).Replace("+", "localhost", StringComparison.Ordinal), UriKind.Absolute, out var uri) ? uri.Port : (int?)null)
            .FirstOrDefault(p => p is > 0);
}
